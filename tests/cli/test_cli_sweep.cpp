// `poslab-cli sweep` and `compare` as users script them (DESIGN.md "Command
// line"): a sweep killed with SIGKILL mid-run resumes to the same records as an
// uninterrupted one; compare pairs two runs; bad options give one-line errors.
#include "tests/sweep/SweepTestData.h"
#include "tests/util/CliProcess.h"
#include "tests/util/TestPaths.h"

#include <QProcess>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

using Run = CliRun;

size_t lines(const fs::path& path) {
  std::ifstream in(path);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line))
    ++n;
  return n;
}

// key -> (prediction, score) of every record in a run folder.
std::map<std::string, std::pair<std::string, double>> outcomes(const fs::path& dir) {
  std::map<std::string, std::pair<std::string, double>> m;
  std::ifstream in(dir / "examples.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    const std::string key =
        j["id"].get<std::string>() + "@" +
        (j["position"].is_null() ? j["baseline"].get<std::string>() : j["position"].dump());
    if (m.count(key)) qFatal("record %s written twice", key.c_str());
    m[key] = {j["prediction"].get<std::string>(), j["score"].get<double>()};
  }
  return m;
}

} // namespace

class TestCliSweep : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    dir_ = tempDir("cli-sweep");
    data_ = QString::fromStdString(writeStoryQa(dir_ + "/stories.jsonl", 6, 5));
  }

  QStringList sweep(const QString& out) const {
    return {
        "sweep",    "--model",   QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf")),
        "--data",   data_,       "--max-new-tokens",
        "8",        "--threads", "1",
        "--oracle", "--out",     out};
  }

  void killedSweepResumes() {
    const QString full = QString::fromStdString(dir_ + "/full"),
                  killed = QString::fromStdString(dir_ + "/killed");
    const Run ref = cli(sweep(full));
    QVERIFY2(ref.exitCode == 0, qPrintable(ref.err));
    QVERIFY2(ref.out.contains("oracle"), qPrintable(ref.out));
    QVERIFY2(ref.err.contains("36/36  records"), qPrintable(ref.err)); // the progress bar's last line

    QProcess p;
    p.start(cliPath(), sweep(killed));
    QVERIFY(p.waitForStarted());
    const fs::path log = fs::path(killed.toStdString()) / "examples.jsonl";
    for (int i = 0; i < 6000 && (!fs::exists(log) || lines(log) < 5); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    p.kill(); // SIGKILL: no chance to write a summary
    p.waitForFinished();
    const size_t before = lines(log);
    QVERIFY2(before >= 5 && before < 36, std::to_string(before).c_str());
    QVERIFY(!fs::exists(fs::path(killed.toStdString()) / "summary.json"));

    const Run resumed = cli(sweep(killed));
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY2(resumed.err.contains("resumed]"), qPrintable(resumed.err));
    QCOMPARE(outcomes(killed.toStdString()), outcomes(full.toStdString()));
    const auto summary = nlohmann::json::parse(std::ifstream(killed.toStdString() + "/summary.json"));
    QCOMPARE(summary["timing"]["records"].get<size_t>(), size_t(36));
    QCOMPARE(summary["timing"]["records_resumed"].get<size_t>() +
                 summary["timing"]["records_this_run"].get<size_t>(),
             size_t(36));
  }

  // The full sweep ran with reuse and the default batch; the naive path (no
  // reuse, one prompt at a time) decides every record the same.
  void compareTwoRuns() {
    const QString a = QString::fromStdString(dir_ + "/full");
    QStringList args = sweep(QString::fromStdString(dir_ + "/naive"));
    args << "--no-prefix-cache"
         << "--batch"
         << "1";
    QCOMPARE(cli(args).exitCode, 0);
    QCOMPARE(outcomes(dir_ + "/naive"), outcomes(a.toStdString()));
    const Run r = cli({"compare", a, QString::fromStdString(dir_ + "/naive"), "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(j["rows"].size(), size_t(6)); // 5 positions + oracle
    for (const auto& row : j["rows"]) {
      QCOMPARE(row["pairs"].get<int>(), 6);
      QCOMPARE(row["p_value"].get<double>(), 1.0); // the same model decides the same
    }
  }

  // Every built-in template is selectable by name; Pos2Distill's prompt among them.
  void pos2distillTemplate() {
    const QString out = QString::fromStdString(dir_ + "/pos2distill");
    QStringList args = sweep(out);
    args << "--prompt-template"
         << "pos2distill"
         << "--positions"
         << "0"
         << "--limit"
         << "1";
    const Run r = cli(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto summary = nlohmann::json::parse(std::ifstream(out.toStdString() + "/summary.json"));
    QCOMPARE(summary["settings"]["prompt_template"].get<std::string>(), std::string("pos2distill"));
    QCOMPARE(summary["timing"]["records"].get<size_t>(), size_t(2)); // position 0 and the oracle
    const Run help = cli({"sweep", "--help"});
    QVERIFY2(help.out.contains("pos2distill"), qPrintable(help.out));
  }

  void badOptionsGiveOneLine_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    const QString model = QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf"));
    const QString out = QString::fromStdString(dir_ + "/bad");
    QTest::newRow("missing data") << QStringList{"sweep",      "--model", model, "--data",
                                                 "nope.jsonl", "--out",   out}
                                  << "nope.jsonl";
    QTest::newRow("bad positions") << QStringList{"sweep",       "--model", model,   "--data", data_,
                                                  "--positions", "a,b",     "--out", out}
                                   << "--positions";
    QTest::newRow("position beyond docs")
        << QStringList{"sweep", "--model", model, "--data", data_, "--positions", "7", "--out", out}
        << "position 7 does not exist";
    QTest::newRow("compare missing run")
        << QStringList{"compare", out + "-a", out + "-b"} << "examples.jsonl: no such file";
  }
  void badOptionsGiveOneLine() {
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    const Run r = cli(args);
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.trimmed().count('\n') == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(error), qPrintable(r.err));
  }

private:
  std::string dir_;
  QString data_;
};

QTEST_GUILESS_MAIN(TestCliSweep)
#include "test_cli_sweep.moc"
