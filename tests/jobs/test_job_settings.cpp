// JobSettings: the command a GUI job runs, and its settings file.
#include "core/jobs/JobSettings.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;
using poslab::test::tempDir;

class TestJobSettings : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void aDemoJobWithNothingChangedIsThePresetAlone() {
    // Built from JSON: GCC 12 warns falsely (-Wrestrict) on assigning short literals to the fields.
    const JobSettings s = JobSettings::fromJson({{"preset", "demo"},
                                                 {"model", "demo/model"},
                                                 {"data", "demo/train.jsonl.gz"},
                                                 {"eval_data", "demo/heldout.jsonl.gz"}},
                                                "test");
    const std::vector<std::string> want{"distill",
                                        "--preset",
                                        "demo",
                                        "--method",
                                        "r1",
                                        "--model",
                                        "demo/model",
                                        "--data",
                                        "demo/train.jsonl.gz",
                                        "--eval-data",
                                        "demo/heldout.jsonl.gz",
                                        "--device",
                                        "cpu",
                                        "--threads",
                                        "0",
                                        "--out",
                                        "runs/a"};
    QCOMPARE(s.arguments("runs/a"), want);
  }

  void overridesFollowThePresetInOneOrder() {
    const JobSettings s = JobSettings::fromJson(
        {{"preset", "paper"},
         {"model", "m"},
         {"data", "d"},
         {"options", {{"lr", "1e-5"}, {"questions", "100"}, {"no-anchors", "true"}, {"rslora", "false"}}}},
        "test");
    const std::vector<std::string> want{
        "distill",  "--preset", "paper",       "--method", "r1",           "--model", "m",
        "--data",   "d",        "--questions", "100",      "--no-anchors", "--lr",    "1e-5",
        "--device", "cpu",      "--threads",   "0",        "--out",        "r"};
    QCOMPARE(s.arguments("r"), want);
  }

  void resumeAndExtend() {
    QCOMPARE(JobSettings::resumeArguments("r", "cuda:1", 4),
             (std::vector<std::string>{"distill", "--out", "r", "--resume", "--device", "cuda:1", "--threads",
                                       "4"}));
    QCOMPARE(JobSettings::resumeArguments("r", "cpu", 0, 600),
             (std::vector<std::string>{"distill", "--out", "r", "--resume", "--steps", "600", "--device",
                                       "cpu", "--threads", "0"}));
  }

  void shellLineRunsUnchanged() {
    QCOMPARE(JobSettings::shellCommand(
                 {"poslab-cli", "--out", "my runs/a", "--model", "it's", "--lr", "1e-5", ""}),
             std::string("poslab-cli --out 'my runs/a' --model 'it'\\''s' --lr 1e-5 ''"));
    // And a shell reads it back as the same words.
    const std::string line = JobSettings::shellCommand({"printf", "%s|", "a b", "c'd", "$HOME", "*"});
    QProcess sh;
    sh.start("/bin/sh", {"-c", QString::fromStdString(line)});
    QVERIFY(sh.waitForFinished());
    QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()), QStringLiteral("a b|c'd|$HOME|*|"));
  }

  void roundTripsThroughItsFile() {
    const JobSettings s{.preset = "quick",
                        .method = "seqkd",
                        .model = "m",
                        .adapter = "a",
                        .data = "d",
                        .evalData = "e",
                        .device = "cuda:0",
                        .threads = 3,
                        .options = {{"lora", "8"}, {"lora-targets", "q_proj,v_proj"}}};
    const std::string file = tempDir("settings") + "/job.json";
    s.write(file);
    const JobSettings back = JobSettings::read(file);
    QCOMPARE(back.arguments("r"), s.arguments("r"));
    QCOMPARE(back.device, s.device);
    QCOMPARE(back.threads, 3);
  }

  void badFilesNameTheFileAndTheField_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown option") << R"({"options": {"learning_rate": "1"}})"
                                    << "job.json: options.learning_rate: is not an option";
    QTest::newRow("option not a string") << R"({"options": {"lr": 0.1}})"
                                         << "job.json: options.lr: must be a string";
    QTest::newRow("threads wrong type") << R"({"threads": "four"})"
                                        << "job.json: threads: has the wrong type";
    QTest::newRow("threads absurd") << R"({"threads": 100000})"
                                    << "job.json: threads: must be 0";
    QTest::newRow("preset unknown") << R"({"preset": "fast"})"
                                    << "job.json: preset: 'fast' is not demo";
    QTest::newRow("not an object") << R"([1, 2])"
                                   << "job.json";
    QTest::newRow("not JSON") << R"({"preset": )"
                              << "job.json";
  }
  void badFilesNameTheFileAndTheField() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    const std::string file = tempDir("bad") + "/job.json";
    std::ofstream(file) << text.toStdString();
    try {
      JobSettings::read(file);
      QFAIL("read a bad settings file");
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.what()).contains(message), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestJobSettings)
#include "test_job_settings.moc"
