// The sweep on a real model (stories260K, its own tokenizer) over real-format
// data: prefix reuse gives the same records as the naive path with fewer
// prefill tokens; a cancelled sweep resumes to the same records; a torn last
// line is cut off; settings that change records refuse to resume; the summary
// follows the contract; prompts beyond the context are reported.
#include "core/engine/Engine.h"
#include "core/eval/WilsonInterval.h"
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/SweepRunner.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/sweep/SweepTestData.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

const char* kModel = "models/stories260K/stories260K.gguf";

std::map<std::string, SweepRecord> byKey(const std::vector<SweepRecord>& records) {
  std::map<std::string, SweepRecord> m;
  for (const auto& r : records)
    m[r.key()] = r;
  return m;
}

// Records agree on everything the model decides; log-probabilities agree to
// float rounding (the reused path runs other matrix shapes).
void compareRecords(const std::vector<SweepRecord>& a, const std::vector<SweepRecord>& b) {
  const auto ma = byKey(a), mb = byKey(b);
  QCOMPARE(ma.size(), mb.size());
  for (const auto& [key, r] : ma) {
    QVERIFY2(mb.count(key), key.c_str());
    const SweepRecord& s = mb.at(key);
    QCOMPARE(r.prediction, s.prediction);
    QCOMPARE(r.score, s.score);
    QCOMPARE(r.promptTokens, s.promptTokens);
    QCOMPARE(r.decodeTokens, s.decodeTokens);
    QCOMPARE(r.stopReason, s.stopReason);
    QVERIFY(r.answerLogprob && s.answerLogprob);
    QVERIFY2(
        std::abs(*r.answerLogprob - *s.answerLogprob) < 1e-3,
        (key + ": " + std::to_string(*r.answerLogprob) + " vs " + std::to_string(*s.answerLogprob)).c_str());
  }
}

} // namespace

class TestSweepRunner : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    engine_ = Engine::open(sharedPath(kModel), {"cpu", "f32", 1, "", false});
    dir_ = tempDir("sweep-runner");
    data_ = writeStoryQa(dir_ + "/stories.jsonl", 3, 5);
  }

  SweepSettings settings() const {
    SweepSettings s;
    s.modelPath = sharedPath(kModel);
    s.dataPath = data_;
    s.maxNewTokens = 8;
    s.closedBook = s.oracle = true;
    return s;
  }

  void reuseEqualsNaive() {
    SweepSettings s = settings();
    size_t streamed = 0;
    SweepCallbacks cb;
    cb.onRecord = [&](const SweepRecord&) { ++streamed; };
    const SweepResult reuse = SweepRunner(*engine_).run(s, dir_ + "/reuse", cb);
    s.prefixCache = false;
    s.batch = 1; // the naive path: every prompt from its first token, one at a time
    const SweepResult naive = SweepRunner(*engine_).run(s, dir_ + "/naive");
    QCOMPARE(reuse.status, std::string("finished"));
    QCOMPARE(reuse.summary.records, size_t(3 * (5 + 2)));
    QCOMPARE(streamed, reuse.summary.records);
    const auto a = ExamplesLog::read(dir_ + "/reuse/examples.jsonl");
    const auto b = ExamplesLog::read(dir_ + "/naive/examples.jsonl");
    compareRecords(a, b);
    QCOMPARE(naive.summary.prefillTokens, naive.summary.promptTokens);
    QCOMPARE(reuse.summary.promptTokens, naive.summary.promptTokens);
    QVERIFY2(
        reuse.summary.prefillTokens * 3 < naive.summary.prefillTokens * 2,
        (std::to_string(reuse.summary.prefillTokens) + " vs " + std::to_string(naive.summary.prefillTokens))
            .c_str());
    // Positions are scored as METHOD.md says: the summary is the records' tally.
    for (const auto& row : reuse.summary.positions) {
      size_t n = 0, correct = 0;
      for (const auto& r : a)
        if (r.position && static_cast<int>(*r.position) == row.position) {
          ++n;
          correct += r.score > 0.5;
        }
      QCOMPARE(row.n, n);
      QCOMPARE(row.correct, correct);
      const auto ci = WilsonInterval::compute(correct, n);
      QCOMPARE(row.ciLow, ci.low);
      QCOMPARE(row.ciHigh, ci.high);
    }
  }

  // Batching changes how the work is grouped, never what is computed: every
  // batch size, with and without reuse, gives the naive path's records, and
  // reuse computes as few prefill tokens batched as one prompt at a time. The
  // batches mix positions, baselines and examples (prompts and answers of
  // different lengths), so rows are padded.
  void batchedEqualsNaive_data() {
    QTest::addColumn<int>("batch");
    QTest::addColumn<bool>("reuse");
    QTest::newRow("reuse, batch 1") << 1 << true;
    QTest::newRow("reuse, batch 2") << 2 << true;
    QTest::newRow("reuse, batch 16") << 16 << true;
    QTest::newRow("naive, batch 3") << 3 << false;
  }
  void batchedEqualsNaive() {
    QFETCH(int, batch);
    QFETCH(bool, reuse);
    SweepSettings s = settings();
    s.batch = static_cast<size_t>(batch);
    s.prefixCache = reuse;
    const std::string out = dir_ + "/batch-" + std::to_string(batch) + (reuse ? "-reuse" : "-naive");
    const SweepResult r = SweepRunner(*engine_).run(s, out);
    compareRecords(ExamplesLog::read(out + "/examples.jsonl"),
                   ExamplesLog::read(dir_ + "/naive/examples.jsonl"));
    const auto same = ExamplesLog::read(dir_ + (reuse ? "/reuse" : "/naive") + "/examples.jsonl");
    QCOMPARE(r.summary.prefillTokens, SweepSummary::of(same).prefillTokens);
    QCOMPARE(JsonFile::readObject(out + "/summary.json")["settings"]["batch"].get<int>(), batch);
    for (const auto& record : ExamplesLog::read(out + "/examples.jsonl"))
      QVERIFY(record.timeSeconds > 0);
  }

  void summaryFollowsTheContract() {
    const nlohmann::json j = JsonFile::readObject(dir_ + "/reuse/summary.json");
    for (const char* key : {"settings", "model", "data", "positions", "baselines", "timing"})
      QVERIFY2(j.contains(key), key);
    QCOMPARE(j["positions"].size(), size_t(5));
    QCOMPARE(j["positions"][0]["position"].get<int>(), 0);
    for (const char* key : {"n", "correct", "accuracy", "ci_low", "ci_high", "mean_answer_logprob"})
      QVERIFY2(j["positions"][4].contains(key), key);
    QVERIFY(j["baselines"].contains("closed_book") && j["baselines"].contains("oracle"));
    QVERIFY(!j["baselines"]["oracle"].contains("position"));
    QVERIFY(j["model"]["fingerprint"].get<std::string>().rfind("quick-sha256:", 0) == 0);
    QVERIFY(j["data"]["fingerprint"].get<std::string>().rfind("sha256:", 0) == 0);
    QCOMPARE(j["data"]["examples"].get<int>(), 3);
    for (const char* key : {"wall_s", "prefill_tokens", "decode_tokens"})
      QVERIFY2(j["timing"].contains(key), key);
    std::ifstream csv(dir_ + "/reuse/summary.csv");
    std::string header, line;
    std::getline(csv, header);
    QCOMPARE(header, std::string("position,n,correct,accuracy,ci_low,ci_high,mean_answer_logprob"));
    int rows = 0;
    while (std::getline(csv, line))
      ++rows;
    QCOMPARE(rows, 5 + 2);
    QCOMPARE(JsonFile::readObject(dir_ + "/reuse/run.json")["status"].get<std::string>(),
             std::string("finished"));
    // events.jsonl: start, progress lines, finish — one JSON object per line.
    std::ifstream events(dir_ + "/reuse/events.jsonl");
    std::vector<std::string> kinds;
    while (std::getline(events, line))
      kinds.push_back(nlohmann::json::parse(line)["event"].get<std::string>());
    QVERIFY(kinds.size() >= 3);
    QCOMPARE(kinds.front(), std::string("start"));
    QCOMPARE(kinds.back(), std::string("finish"));
  }

  // Cancel after 4 records, add a torn line as a kill mid-write would, resume:
  // the same records as the uninterrupted sweep, none computed twice.
  void cancelThenResume() {
    const std::string out = dir_ + "/resumed";
    std::atomic<bool> cancel{false};
    SweepCallbacks cb;
    size_t seen = 0;
    cb.onRecord = [&](const SweepRecord&) {
      if (++seen == 4) cancel = true;
    };
    const SweepResult first = SweepRunner(*engine_).run(settings(), out, cb, &cancel);
    QCOMPARE(first.status, std::string("cancelled"));
    QCOMPARE(first.computed, size_t(4));
    QCOMPARE(JsonFile::readObject(out + "/run.json")["status"].get<std::string>(), std::string("cancelled"));
    {
      std::ofstream torn(out + "/examples.jsonl", std::ios::app);
      torn << "{\"example\": 2, \"position\": 1, \"predic";
    }
    SweepSettings again = settings();
    again.batch = 3; // the batch does not change records: resuming with another is fine
    const SweepResult second = SweepRunner(*engine_).run(again, out);
    QVERIFY(second.tornTailRemoved);
    QCOMPARE(second.resumed, size_t(4));
    QCOMPARE(second.computed, size_t(21 - 4));
    QCOMPARE(second.status, std::string("finished"));
    std::ifstream events(out + "/events.jsonl");
    std::set<std::string> kinds;
    for (std::string line; std::getline(events, line);)
      kinds.insert(nlohmann::json::parse(line)["event"].get<std::string>());
    QVERIFY(kinds.count("cancel") && kinds.count("resume") && kinds.count("finish"));
    compareRecords(ExamplesLog::read(out + "/examples.jsonl"),
                   ExamplesLog::read(dir_ + "/reuse/examples.jsonl"));
  }

  void changedSettingsRefuseToResume() {
    SweepSettings s = settings();
    s.docs = 4;
    try {
      SweepRunner(*engine_).run(s, dir_ + "/reuse");
      QFAIL("resumed a sweep with other settings");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("run.json: settings.docs: was 0, now 4") != std::string::npos,
               e.what());
    }
  }

  void positionsListAndDocs() {
    SweepSettings s = settings();
    s.closedBook = s.oracle = false;
    s.docs = 3;
    s.positions = {0, 2};
    const SweepResult r = SweepRunner(*engine_).run(s, dir_ + "/subset");
    QCOMPARE(r.summary.positions.size(), size_t(2));
    QCOMPARE(r.summary.positions[1].position, 2);
    QCOMPARE(r.summary.records, size_t(6));
    s.positions = {3};
    QVERIFY_THROWS_EXCEPTION(Error, SweepRunner(*engine_).run(s, dir_ + "/bad-position"));
    s.positions = {0};
    s.batch = 0;
    QVERIFY_THROWS_EXCEPTION(Error, SweepRunner(*engine_).run(s, dir_ + "/bad-batch"));
  }

  // The real KV file: pairs moved, the value scored as a substring.
  void realKvData() {
    SweepSettings s;
    s.modelPath = sharedPath(kModel);
    s.dataPath = sharedPath("data/lost-in-the-middle/kv_retrieval_data/kv-retrieval-140_keys.jsonl.gz");
    s.docs = 3;
    s.limit = 1;
    s.maxNewTokens = 4;
    const SweepResult r = SweepRunner(*engine_).run(s, dir_ + "/kv");
    QCOMPARE(r.summary.records, size_t(3));
    const nlohmann::json j = JsonFile::readObject(dir_ + "/kv/summary.json");
    QCOMPARE(j["settings"]["task"].get<std::string>(), std::string("kv"));
    s.closedBook = true;
    QVERIFY_THROWS_EXCEPTION(Error, SweepRunner(*engine_).run(s, dir_ + "/kv-closed"));
  }

  // The real NQ oracle file with random distractors, 20 documents: longer than
  // stories260K's 2048-token context, which is reported, never truncated.
  void contextOverflowIsReported() {
    SweepSettings s;
    s.modelPath = sharedPath(kModel);
    s.dataPath = sharedPath("data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz");
    s.randomDistractors = 20;
    s.limit = 1;
    s.positions = {0};
    try {
      SweepRunner(*engine_).run(s, dir_ + "/overflow");
      QFAIL("a prompt beyond the context was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("more than the model's context of 2048 tokens") !=
                   std::string::npos,
               e.what());
    }
  }

private:
  std::unique_ptr<Engine> engine_;
  std::string dir_, data_;
};

QTEST_GUILESS_MAIN(TestSweepRunner)
#include "test_sweep_runner.moc"
