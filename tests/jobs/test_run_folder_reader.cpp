// RunFolderReader: a run folder followed as `tail -f` follows a log, and a
// dead owner told from a live one by run.lock.
#include "core/jobs/RunFolderReader.h"
#include "core/util/CheckpointPins.h"
#include "core/util/JsonFile.h"
#include "core/util/RunLock.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

using namespace poslab;
using poslab::test::tempDir;
namespace fs = std::filesystem;

namespace {

void append(const std::string& run, const std::string& text) {
  std::ofstream(run + "/events.jsonl", std::ios::app) << text;
}

std::string stepLine(int step, double loss) {
  return nlohmann::json{{"event", "step"},
                        {"unix_time", 1000.0 + step},
                        {"step", step},
                        {"loss", loss},
                        {"lr", 1e-3},
                        {"step_s", 0.5},
                        {"tokens_per_s", 100.0},
                        {"time_s", 0.5 * step},
                        {"kl_by_position", {{"3", 0.25}, {"9", 1.5}}}}
             .dump() +
         "\n";
}

std::string distillRun(const std::string& name, const std::string& status) {
  const std::string run = tempDir(name);
  JsonFile::write(run + "/run.json", nlohmann::json{{"kind", "distill"},
                                                    {"status", status},
                                                    {"device", "cpu"},
                                                    {"model", {{"path", "demo/model"}}},
                                                    {"distill", {{"method", "r1"}, {"questions", 40}}},
                                                    {"settings", {{"total_steps", 10}}}});
  return run;
}

} // namespace

class TestRunFolderReader : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void readsOnlyWhatWasAddedAndWaitsForTornLines() {
    const std::string run = distillRun("tail", "training");
    RunLock owner(run); // this process is the live owner
    RunFolderReader r(run);
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().status, JobStatus::Training);
    QCOMPARE(r.snapshot().ownerPid, static_cast<long long>(QCoreApplication::applicationPid()));
    QCOMPARE(r.snapshot().method, std::string("r1"));
    QCOMPARE(r.snapshot().totalSteps, 10LL);
    append(run, stepLine(1, 2.0));
    const std::string second = stepLine(2, 1.0);
    append(run, second.substr(0, 20)); // being written
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().steps.size(), size_t{1});
    QVERIFY(r.snapshot().problems.empty());
    append(run, second.substr(20));
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().steps.size(), size_t{2});
    QCOMPARE(r.snapshot().step, 2LL);
    QCOMPARE(r.snapshot().steps[1].klByPosition.at(9), 1.5);
    QCOMPARE(r.snapshot().elapsedS, 1.0);
    QCOMPARE(r.snapshot().etaS, 0.5 * 8); // 8 steps left at 0.5 s
    QVERIFY(!r.refresh());                // nothing new
  }

  void aSharedPreparationCountsTheSharesLines() {
    // Data parallel, the ranks' shares (prepare/rank-K.jsonl) fill first, then rank 0 copies
    // them into prepare.jsonl before it removes them: the progress never counts a question twice.
    const std::string run = distillRun("prepare-shares", "preparing");
    RunLock owner(run);
    fs::create_directories(run + "/prepare");
    std::ofstream(run + "/prepare/rank-0.jsonl") << "{}\n{}\n";
    std::ofstream(run + "/prepare/rank-1.jsonl") << "{}\n";
    RunFolderReader r(run);
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().status, JobStatus::Preparing);
    QCOMPARE(r.snapshot().preparedQuestions, 3LL);
    std::ofstream(run + "/prepare.jsonl") << "{}\n{}\n"; // being taken in
    r.refresh();
    QCOMPARE(r.snapshot().preparedQuestions, 3LL);
    fs::remove_all(run + "/prepare");
    std::ofstream(run + "/prepare.jsonl", std::ios::app) << "{}\n";
    r.refresh();
    QCOMPARE(r.snapshot().preparedQuestions, 3LL);
  }

  void aCorruptLineIsReportedAndTheRestRead() {
    const std::string run = distillRun("corrupt", "finished");
    append(run, stepLine(1, 2.0) + "{\"event\": \"step\", \"loss\n" + stepLine(2, 1.0));
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().steps.size(), size_t{2});
    QCOMPARE(r.snapshot().problems.size(), size_t{1});
    QCOMPARE(r.snapshot().problems[0], std::string("events.jsonl: line 2: not a JSON object"));
  }

  void aResumeReplacesTheRepeatedSteps() {
    const std::string run = distillRun("repeat", "finished");
    append(run, stepLine(1, 3.0) + stepLine(2, 2.0) + stepLine(3, 1.0) + stepLine(2, 2.5) + stepLine(3, 1.5));
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().steps.size(), size_t{3});
    QCOMPARE(r.snapshot().steps[1].loss, 2.5);
    QCOMPARE(r.snapshot().steps[2].loss, 1.5);
  }

  void anOwnerGoneWithoutAWordIsDead() {
    const std::string run = distillRun("dead", "training");
    {
      RunLock owner(run);
      RunFolderReader r(run);
      r.refresh();
      QCOMPARE(r.snapshot().status, JobStatus::Training);
    }
    // A kill -9 leaves run.lock behind with no flock on it; the destructor removed
    // it here, and a missing lock with a "training" run.json reads the same.
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().status, JobStatus::Dead);
    QVERIFY(JobStatusName::resumable(r.snapshot().status));
    QVERIFY(!r.snapshot().statusDetail.empty());
  }

  void aFailedRunSaysWhy() {
    const std::string run = distillRun("failed", "failed");
    append(run, R"({"event":"error","unix_time":5,"message":"loss is NaN at step 7"})"
                "\n");
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().status, JobStatus::Failed);
    QCOMPARE(r.snapshot().statusDetail, std::string("loss is NaN at step 7"));
    QVERIFY(r.snapshot().log.back().error);
  }

  void aProcessThatDiedBeforeRunJsonFailedWithItsLastWords() {
    const std::string run = tempDir("no-run-json");
    fs::create_directories(run + "/logs");
    JsonFile::write(run + "/logs/launch.json",
                    nlohmann::json{{"pid", 999999999}, {"program", "poslab-cli"}, {"device", "cuda:0"}});
    std::ofstream(run + "/logs/cli.log") << "starting\n--lr: 'fast' is not a number\n\n";
    QVERIFY(RunFolderReader::isTrainingRun(run));
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().status, JobStatus::Failed);
    QCOMPARE(r.snapshot().statusDetail, std::string("--lr: 'fast' is not a number"));
    QCOMPARE(r.snapshot().device, std::string("cuda:0"));
    // A sweep's folder is not a training run.
    const std::string sweep = tempDir("sweep");
    JsonFile::write(sweep + "/run.json", nlohmann::json{{"kind", "sweep"}});
    QVERIFY(!RunFolderReader::isTrainingRun(sweep));
  }

  void everyCheckpointIsListed() {
    const std::string run = distillRun("checkpoints", "finished");
    append(run, stepLine(5, 2.0) + stepLine(10, 1.0));
    append(run, R"({"event":"checkpoint","unix_time":1005,"step":5,"path":"checkpoints/step-000005"})"
                "\n");
    append(run, R"({"event":"checkpoint","unix_time":1010,"step":10,"path":"checkpoints/step-000010"})"
                "\n");
    append(run, R"({"event":"eval","unix_time":1011,"step":10,"mean_accuracy":0.8,"worst_accuracy":0.6,)"
                R"("positions":[{"position":0,"n":50,"accuracy":1.0},{"position":9,"n":50,"accuracy":0.6}]})"
                "\n");
    fs::create_directories(run + "/checkpoints/step-000010");
    fs::create_directories(run + "/checkpoints/step-000012.tmp-1"); // a save under way
    std::ofstream(run + "/checkpoints/step-000010/model.safetensors") << std::string(1000, 'x');
    std::ofstream(run + "/checkpoints/step-000010/manifest.json") << std::string(24, 'y');
    std::ofstream(run + "/checkpoints/latest") << "step-000010\n";
    CheckpointPins::set(run, "step-000010", true);
    RunFolderReader r(run);
    r.refresh();
    const auto& rows = r.snapshot().checkpoints;
    QCOMPARE(rows.size(), size_t{2});
    QCOMPARE(rows[0].step, 5LL);
    QVERIFY(rows[0].pruned); // written, then removed by --keep-checkpoints
    QCOMPARE(rows[0].loss, 2.0);
    QCOMPARE(rows[1].step, 10LL);
    QVERIFY(!rows[1].pruned && rows[1].latest && rows[1].pinned);
    QCOMPARE(rows[1].bytes, 1024LL);
    QCOMPARE(rows[1].evalMean, 0.8);
    QCOMPARE(rows[1].evalWorst, 0.6);
    QVERIFY(rows[1].unixTime > 0);
    QCOMPARE(r.snapshot().evals.size(), size_t{1});
    QCOMPARE(r.snapshot().evals[0].positions[1].position, 9);
  }

  void aProblemIsSaidOnceNotOncePerRefresh() {
    const std::string run = distillRun("pins-damaged", "finished");
    fs::create_directories(run + "/checkpoints/step-000004");
    std::ofstream(run + "/checkpoints/pins.json") << "{\"pinned\": 4}";
    append(run, stepLine(1, 2.0) + "torn{\n");
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().problems.size(), size_t{2}); // the pins file and the events line
    QVERIFY(!r.refresh());                             // nothing new: no change, no repeat
    QCOMPARE(r.snapshot().problems.size(), size_t{2});
    QCOMPARE(r.snapshot().checkpoints.size(), size_t{1}); // listed all the same, unpinned
    std::ofstream(run + "/checkpoints/pins.json")
        << R"({"pinned": ["step-000004", "step-000009"]})"; // repaired
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().problems.size(), size_t{1});
    QVERIFY(r.snapshot().checkpoints[0].pinned);
  }

  void aReplacedEventLogIsReadAgain() {
    const std::string run = distillRun("shrink", "finished");
    append(run, stepLine(1, 3.0) + stepLine(2, 2.0) + stepLine(3, 1.0));
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().steps.size(), size_t{3});
    std::ofstream(run + "/events.jsonl", std::ios::trunc) << stepLine(1, 9.0);
    QVERIFY(r.refresh());
    QCOMPARE(r.snapshot().steps.size(), size_t{1});
    QCOMPARE(r.snapshot().steps[0].loss, 9.0);
    QCOMPARE(r.snapshot().method, std::string("r1")); // run.json is kept
  }

  void aDamagedRunJsonIsAProblemNotACrash() {
    const std::string run = tempDir("bad-run-json");
    std::ofstream(run + "/run.json") << "{\"kind\": \"distill\", ";
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().problems.size(), size_t{1});
    QVERIFY(QString::fromStdString(r.snapshot().problems[0]).startsWith("run.json: "));
  }

  // A number too large for a step or a count is a problem naming the file and
  // field, not an undefined float-to-integer conversion (UBSan in the
  // run_folder fuzz build, tests/fuzz/corpus/run_folder/bug-*).
  void anIntegerOutOfRangeIsAProblem_data() {
    QTest::addColumn<QString>("runJson");
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("problem");
    QTest::newRow("events step") << R"({"kind": "train", "status": "finished"})"
                                 << R"({"event": "step", "unix_time": 1, "step": 1e300})"
                                 << "events.jsonl: line 1: step: 1e+300 is out of range";
    QTest::newRow("eval position")
        << R"({"kind": "train", "status": "finished"})"
        << R"({"event": "eval", "step": 2, "positions": [{"position": -1e19, "n": 3}]})"
        << "events.jsonl: line 1: position: -1e+19 is out of range";
    QTest::newRow("run.json total_steps")
        << R"({"kind": "train", "status": "finished", "settings": {"total_steps": 9.3e18}})"
        << ""
        << "run.json: total_steps: 9.3e+18 is out of range";
    QTest::newRow("run.json questions")
        << R"({"kind": "distill", "status": "finished", "distill": {"questions": 1e20}})"
        << ""
        << "run.json: questions: 1e+20 is out of range";
  }
  void anIntegerOutOfRangeIsAProblem() {
    QFETCH(QString, runJson);
    QFETCH(QString, events);
    QFETCH(QString, problem);
    const std::string run = tempDir("out-of-range");
    std::ofstream(run + "/run.json") << runJson.toStdString();
    if (!events.isEmpty()) append(run, events.toStdString() + "\n");
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().problems.size(), size_t{1});
    QCOMPARE(QString::fromStdString(r.snapshot().problems[0]), problem);
  }
};

QTEST_GUILESS_MAIN(TestRunFolderReader)
#include "test_run_folder_reader.moc"
