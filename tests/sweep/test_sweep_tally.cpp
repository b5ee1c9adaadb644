// SweepTally keeps a sweep's summary up to date record by record: after every
// record it equals the summary of all records so far, worked by hand here for a
// small stream with two positions and both baselines.
#include "core/sweep/SweepSummary.h"
#include "core/sweep/SweepTally.h"

#include <QtTest/QtTest>
#include <map>
#include <set>

using namespace poslab;

namespace {

SweepRecord record(size_t example, std::optional<size_t> position, double score,
                   std::optional<double> logprob, const std::string& baseline = "") {
  SweepRecord r;
  r.example = example;
  r.position = position;
  r.baseline = baseline;
  r.score = score;
  r.answerLogprob = logprob;
  r.promptTokens = 100 + static_cast<int64_t>(example);
  r.prefillTokens = 40;
  r.decodeTokens = 3;
  r.timeSeconds = 0.25;
  return r;
}

} // namespace

class TestSweepTally : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void emptyTallyHasNoRows();
  void handWorkedStream();
  void everyPrefixMatchesACount();
};

void TestSweepTally::emptyTallyHasNoRows() {
  const SweepSummary s = SweepTally().summary();
  QVERIFY(s.positions.empty());
  QVERIFY(!s.closedBook && !s.oracle);
  QCOMPARE(s.records, size_t(0));
  QCOMPARE(s.examples, size_t(0));
}

void TestSweepTally::handWorkedStream() {
  SweepTally t;
  t.add(record(0, 2, 1.0, -0.5));
  t.add(record(0, 0, 0.0, -2.0));
  t.add(record(1, 2, 0.0, std::nullopt)); // no log-prob: not in the mean
  t.add(record(1, 0, 1.0, -1.0));
  t.add(record(1, 2, 1.0, -1.5));
  t.add(record(0, std::nullopt, 0.0, -4.0, "closed_book"));
  t.add(record(1, std::nullopt, 1.0, -0.25, "oracle"));
  const SweepSummary s = t.summary();
  QCOMPARE(s.positions.size(), size_t(2));
  QCOMPARE(s.positions[0].position, 0); // ascending, whatever the arrival order
  QCOMPARE(s.positions[0].n, size_t(2));
  QCOMPARE(s.positions[0].correct, size_t(1));
  QCOMPARE(*s.positions[0].meanAnswerLogprob, -1.5);
  QCOMPARE(s.positions[1].position, 2);
  QCOMPARE(s.positions[1].n, size_t(3));
  QCOMPARE(s.positions[1].correct, size_t(2));
  QCOMPARE(*s.positions[1].meanAnswerLogprob, -1.0); // (-0.5 - 1.5) / 2
  QVERIFY(s.closedBook && s.oracle);
  QCOMPARE(s.closedBook->correct, size_t(0));
  QCOMPARE(s.oracle->correct, size_t(1));
  QCOMPARE(s.records, size_t(7));
  QCOMPARE(s.examples, size_t(2));
  QCOMPARE(s.promptTokens, int64_t(3 * 100 + 4 * 101));
  QCOMPARE(s.prefillTokens, int64_t(7 * 40));
  QCOMPARE(s.decodeTokens, int64_t(7 * 3));
  QCOMPARE(s.recordSeconds, 1.75);
}

// Counted independently here (a map of n / correct per position) after every record.
void TestSweepTally::everyPrefixMatchesACount() {
  std::vector<SweepRecord> stream;
  for (size_t e = 0; e < 6; ++e)
    for (size_t p = 0; p < 4; ++p)
      stream.push_back(record(e, (p * 7 + e) % 4, (e + p) % 3 == 0 ? 1.0 : 0.0, -0.1 * double(e + p)));
  SweepTally t;
  std::map<size_t, std::pair<size_t, size_t>> counts; // position -> (n, correct)
  std::set<size_t> examples;
  for (size_t k = 0; k < stream.size(); ++k) {
    const SweepRecord& r = stream[k];
    t.add(r);
    auto& [n, correct] = counts[*r.position];
    ++n;
    correct += r.score > 0.5 ? 1 : 0;
    examples.insert(r.example);
    const SweepSummary live = t.summary();
    QCOMPARE(live.positions.size(), counts.size());
    size_t i = 0;
    for (const auto& [position, nc] : counts) {
      QCOMPARE(size_t(live.positions[i].position), position);
      QCOMPARE(live.positions[i].n, nc.first);
      QCOMPARE(live.positions[i].correct, nc.second);
      QCOMPARE(live.positions[i].accuracy, double(nc.second) / double(nc.first));
      ++i;
    }
    QCOMPARE(live.records, k + 1);
    QCOMPARE(live.examples, examples.size());
  }
  // And SweepSummary::of, which folds through the tally, gives the same rows.
  const SweepSummary whole = SweepSummary::of(stream);
  QCOMPARE(whole.positions.size(), counts.size());
  QCOMPARE(whole.positions.back().correct, counts.rbegin()->second.second);
}

QTEST_GUILESS_MAIN(TestSweepTally)
#include "test_sweep_tally.moc"
