// The committed demo (resources/demo/) really loses the middle: a sweep over
// all 20 gold positions of its first held-out examples, with no option but
// model and data (the folder's poslab_task.json supplies the rest), gives the
// issue's shape on this smaller sample: an edge position at >= 80 %, the worst
// position >= 30 points below it, and both edges above the middle (U or J).
// README.md's full table (300 examples) was measured the same way.
// The committed Pos2Distill result (resources/demo/poslab-demo-llama-pos2distill)
// on the same examples: the middle recovered (README "Pos2Distill on the demo",
// 200 examples: mean 73 -> 94 %), position 1 kept. The two-hop demo (R2's)
// answers best with both hops last, and its committed R2 result everywhere.
#include "core/engine/Engine.h"
#include "core/sweep/SweepRunner.h"
#include "tests/util/TestPaths.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace poslab;
using namespace poslab::test;

namespace {

// Accuracy by gold position (20; two-hop: 19 hop-pair places) of the first 60
// held-out examples, task from the folder.
std::vector<double> curveOf(const std::string& folder, const std::string& runName,
                            const std::string& heldout = "demo/heldout.jsonl.gz") {
  const std::string model = resourcePath(folder);
  auto engine = Engine::open(model, {"cpu", "f32", 2, "", false});
  SweepSettings s;
  s.modelPath = model;
  s.dataPath = resourcePath(heldout);
  s.limit = 60;
  const SweepResult r = SweepRunner(*engine).run(s, tempDir(runName) + "/run");
  std::vector<double> acc;
  for (const PositionSummary& p : r.summary.positions) {
    if (p.n != 60) qFatal("%zu examples at position %d", p.n, p.position);
    acc.push_back(p.accuracy);
  }
  return acc;
}

double mean(const std::vector<double>& acc, size_t from, size_t to) {
  return std::accumulate(acc.begin() + static_cast<std::ptrdiff_t>(from),
                         acc.begin() + static_cast<std::ptrdiff_t>(to), 0.0) /
         static_cast<double>(to - from);
}

QString text(const std::vector<double>& acc) {
  QString curve;
  for (double a : acc)
    curve += QString::number(100.0 * a, 'f', 0) + " ";
  return curve;
}

} // namespace

class TestDemoBias : public QObject {
  Q_OBJECT
  std::vector<double> base_;
  std::vector<double> twoHop_;

private Q_SLOTS:
  void losesTheMiddle() {
    base_ = curveOf("demo/poslab-demo-llama", "demo-bias");
    const std::vector<double>& acc = base_;
    QCOMPARE(acc.size(), size_t{20});
    const QString curve = text(acc);
    const double best = *std::max_element(acc.begin(), acc.end());
    const double worst = *std::min_element(acc.begin(), acc.end());
    QVERIFY2(best >= 0.8, qPrintable("best position below 80 %: " + curve));
    QVERIFY2(worst <= best - 0.3, qPrintable("worst not 30 points below best: " + curve));
    const double middle = mean(acc, 6, 14); // positions 7-14
    QVERIFY2(mean(acc, 0, 2) > middle + 0.1 && mean(acc, 18, 20) > middle + 0.1,
             qPrintable("edges not above the middle: " + curve));
  }

  void pos2distillRecoversTheMiddle() {
    QVERIFY(!base_.empty());
    const std::vector<double> acc = curveOf("demo/poslab-demo-llama-pos2distill", "demo-bias-r1");
    QCOMPARE(acc.size(), size_t{20});
    const QString curves = "base " + text(base_) + "/ distilled " + text(acc);
    const double best = *std::max_element(acc.begin(), acc.end());
    const double worst = *std::min_element(acc.begin(), acc.end());
    // Looser than the README's 200-example targets: 60 examples are noisier.
    QVERIFY2(mean(acc, 0, 20) >= mean(base_, 0, 20) + 0.1, qPrintable("mean not 10 points up: " + curves));
    QVERIFY2(mean(acc, 6, 14) >= mean(base_, 6, 14) + 0.2, qPrintable("middle not 20 points up: " + curves));
    QVERIFY2(worst >= best / 2, qPrintable("worst below half the best: " + curves));
    QVERIFY2(std::abs(acc[0] - base_[0]) <= 0.1, qPrintable("position 1 moved: " + curves));
  }

  // The two-hop demo (make-demo --task two-hop) reasons well only with both
  // hops at the end: its last place >= 90 %, its worst >= 30 points below, and
  // the middle (places 7-13) below both ends.
  void twoHopDemoReasonsAtTheEnd() {
    twoHop_ =
        curveOf("demo/two-hop/poslab-demo-two-hop", "demo-bias-two-hop", "demo/two-hop/heldout.jsonl.gz");
    const std::vector<double>& acc = twoHop_;
    QCOMPARE(acc.size(), size_t{19});
    const QString curve = text(acc);
    const double worst = *std::min_element(acc.begin(), acc.end());
    QVERIFY2(acc[18] >= 0.9, qPrintable("last place below 90 %: " + curve));
    QVERIFY2(worst <= acc[18] - 0.3, qPrintable("worst not 30 points below the last: " + curve));
    const double middle = mean(acc, 6, 13);
    QVERIFY2(mean(acc, 0, 2) > middle + 0.1 && mean(acc, 17, 19) > middle + 0.3,
             qPrintable("ends not above the middle: " + curve));
  }

  // The committed R2 result (README "R2 on the two-hop demo", 200 questions:
  // mean 75.9 -> 99.9 %): every place recovered, the teacher's place kept.
  void r2RecoversEveryPlace() {
    QVERIFY(!twoHop_.empty());
    const std::vector<double> acc =
        curveOf("demo/two-hop/poslab-demo-two-hop-r2", "demo-bias-r2", "demo/two-hop/heldout.jsonl.gz");
    QCOMPARE(acc.size(), size_t{19});
    const QString curves = "base " + text(twoHop_) + "/ R2 " + text(acc);
    const double worst = *std::min_element(acc.begin(), acc.end());
    QVERIFY2(mean(acc, 0, 19) >= mean(twoHop_, 0, 19) + 0.15, qPrintable("mean not 15 points up: " + curves));
    QVERIFY2(mean(acc, 6, 13) >= mean(twoHop_, 6, 13) + 0.25,
             qPrintable("middle not 25 points up: " + curves));
    QVERIFY2(worst >= 0.9, qPrintable("a place below 90 %: " + curves));
    QVERIFY2(acc[18] >= twoHop_[18] - 0.1, qPrintable("the teacher's place fell: " + curves));
  }
};

QTEST_GUILESS_MAIN(TestDemoBias)
#include "test_demo_bias.moc"
