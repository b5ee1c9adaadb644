// The sweep's files: examples.jsonl damage is reported by line (a torn tail is
// the one thing cut off); poslab_task.json fields are checked; two runs pair by
// example id and position for the McNemar comparison.
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/SweepComparison.h"
#include "core/sweep/TaskDefaults.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;
using namespace poslab::test;

namespace {

SweepRecord record(const std::string& id, std::optional<size_t> position, double score) {
  SweepRecord r;
  r.example = static_cast<size_t>(std::stoi(id));
  r.id = id;
  r.position = position;
  if (!position) r.baseline = "oracle";
  r.score = score;
  r.prediction = score > 0.5 ? "right" : "wrong";
  r.answerLogprob = -1.5;
  r.promptTokens = 10;
  return r;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

} // namespace

class TestSweepFiles : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void logRoundTrip() {
    const std::string path = tempDir("log-roundtrip") + "/examples.jsonl";
    {
      ExamplesLog log(path);
      log.append(record("0", 3, 1));
      log.append(record("0", std::nullopt, 0));
    }
    ExamplesLog again(path);
    QCOMPARE(again.records().size(), size_t(2));
    QVERIFY(again.has("0@3") && again.has("0@oracle"));
    QCOMPARE(*again.records()[0].answerLogprob, -1.5);
    QVERIFY(!again.tornTailRemoved());
  }

  void damagedLogs_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString good = QString::fromStdString(record("1", 2, 1).toJson().dump());
    QTest::newRow("bad json mid-file") << "{\"example\": 1,\n" + good + "\n"
                                       << "line 1: not valid JSON";
    QTest::newRow("missing field") << "{\"example\": 1, \"position\": 0}\n"
                                   << "line 1: prediction: missing";
    QTest::newRow("wrong type") << QString(good).replace("\"score\":1.0", "\"score\":\"yes\"") + "\n"
                                << "line 1: score: has the wrong type (string)";
    // Numbers that do not fit their field are refused by name, never wrapped:
    // a position of -1 would have become 2^64 - 1 (fuzz target sweep_records).
    QTest::newRow("negative position") << QString(good).replace("\"position\":2", "\"position\":-1") + "\n"
                                       << "line 1: position: is -1; expected a whole number that fits";
    QTest::newRow("huge example") << QString(good).replace("\"example\":1", "\"example\":1e300") + "\n"
                                  << "line 1: example: is 1e+300; expected a whole number that fits";
    QTest::newRow("record not an object") << "[1, 2]\n"
                                          << "line 1: expected a JSON object";
    QTest::newRow("no position, no baseline")
        << QString(good).replace("\"position\":2", "\"position\":null") + "\n"
        << "line 1: baseline: a record without a position";
  }
  void damagedLogs() {
    QFETCH(QString, text);
    QFETCH(QString, error);
    const std::string path = tempDir("log-damaged") + "/examples.jsonl";
    AtomicFile::writeText(path, text.toStdString());
    const std::string e = errorOf([&] { ExamplesLog log(path); });
    QVERIFY2(e.rfind(path + ": " + error.toStdString(), 0) == 0, e.c_str());
  }

  void taskDefaults() {
    const std::string dir = tempDir("task-defaults");
    QVERIFY(!TaskDefaults::forModel(dir).task);
    AtomicFile::writeText(dir + "/prompt.txt", "Facts:\n{search_results}\nQ: {question}\nA:");
    AtomicFile::writeText(
        dir + "/poslab_task.json",
        R"({"task": "qa", "prompt_template": "prompt.txt", "docs": 20, "chat_template": "none",
                              "max_new_tokens": 12})");
    const TaskDefaults d = TaskDefaults::forModel(dir);
    QCOMPARE(*d.task, std::string("qa"));
    QCOMPARE(*d.promptTemplate, dir + "/prompt.txt");
    QCOMPARE(*d.docs, size_t(20));
    QCOMPARE(*d.maxNewTokens, int64_t(12));
    AtomicFile::writeText(dir + "/poslab_task.json", R"({"task": "summarise"})");
    QVERIFY(errorOf([&] { TaskDefaults::forModel(dir); }).find("poslab_task.json: task: expected") !=
            std::string::npos);
    AtomicFile::writeText(dir + "/poslab_task.json", R"({"docs": 0})");
    QVERIFY(errorOf([&] {
              TaskDefaults::forModel(dir);
            }).find("poslab_task.json: docs: expected an integer") != std::string::npos);
    AtomicFile::writeText(dir + "/poslab_task.json", R"({"prompt_template": "missing.txt"})");
    QVERIFY(errorOf([&] { TaskDefaults::forModel(dir); }).find("prompt_template: no file") !=
            std::string::npos);
  }

  // A is right on 6 examples at position 0 where B is wrong, never the reverse:
  // p = 2 / 2^6. Position 1 is concordant; unpaired records are counted.
  void comparisonPairsById() {
    std::vector<SweepRecord> a, b;
    for (int i = 0; i < 8; ++i) {
      const std::string id = std::to_string(i);
      a.push_back(record(id, 0, i < 7 ? 1 : 0));
      b.push_back(record(id, 0, i == 0 ? 1 : 0));
      a.push_back(record(id, 1, 1));
      b.push_back(record(id, 1, 1));
    }
    a.push_back(record("9", std::nullopt, 1));
    b.push_back(record("8", 0, 1));
    const SweepComparison c = SweepComparison::of(a, b);
    QCOMPARE(c.rows.size(), size_t(2));
    QCOMPARE(c.rows[0].pairs, size_t(8));
    QCOMPARE(c.rows[0].test.b, size_t(6));
    QCOMPARE(c.rows[0].test.c, size_t(0));
    QVERIFY(std::abs(c.rows[0].test.pValue - 2.0 / 64.0) < 1e-12);
    QCOMPARE(c.rows[0].accuracyA, 7.0 / 8.0);
    QCOMPARE(c.rows[0].accuracyB, 1.0 / 8.0);
    QCOMPARE(c.rows[1].test.pValue, 1.0);
    QCOMPARE(c.onlyInA, size_t(1));
    QCOMPARE(c.onlyInB, size_t(1));
    QCOMPARE(c.toJson()["rows"][0]["p_value"].get<double>(), c.rows[0].test.pValue);
  }
};

QTEST_GUILESS_MAIN(TestSweepFiles)
#include "test_sweep_files.moc"
