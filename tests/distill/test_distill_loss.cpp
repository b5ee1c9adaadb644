// DistillLoss, the facade behind `poslab-cli distill-loss` (docs/DISTILL.md):
// opened engines in, the R1 loss of a whole set out, against the independent
// Python reference (tests/reference/make_distill_reference.py) to relative
// 1e-4 in fp32 -- per-instance and per-token KL, the factors of all three
// weightings and two lambdas, the loss -- whatever the forward batch; the
// student as its own teacher; a teacher with another vocabulary refused.
#include "core/distill/DistillLoss.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;
using namespace poslab::test;

namespace {

std::string ref(const std::string& rel) {
  return fixturePath("distill_reference/" + rel);
}

LoadOptions oneThread() {
  LoadOptions o;
  o.threads = 1;
  return o;
}

double relDiff(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-6);
}

} // namespace

class TestDistillLoss : public QObject {
  Q_OBJECT
  nlohmann::json expected_;
  std::unique_ptr<Engine> student_, teacher_;

private Q_SLOTS:
  void initTestCase() {
    expected_ = JsonFile::readObject(ref("expected.json"));
    student_ = Engine::open(ref("student"), oneThread());
    teacher_ = Engine::open(ref("teacher"), oneThread());
  }

  void matchesTheReference_data() {
    QTest::addColumn<QString>("weighting");
    QTest::addColumn<double>("lambda");
    QTest::addColumn<qint64>("batch");
    for (const char* w : {"paper", "code", "uniform"})
      for (double lambda : {1.0, 0.5})
        for (qint64 batch : {1, 3, 100}) // memory only: every batch gives the whole set's loss
          QTest::newRow(qPrintable(QString("%1, lambda %2, batch %3").arg(w).arg(lambda).arg(batch)))
              << QString(w) << lambda << batch;
  }
  void matchesTheReference() {
    QFETCH(QString, weighting);
    QFETCH(double, lambda);
    QFETCH(qint64, batch);
    const DistillSet set = DistillSet::read(ref("r1-set.jsonl"));
    DistillLossSettings settings;
    settings.weighting = PositionWeighting::parse(weighting.toStdString(), "weighting");
    settings.lambda = lambda;
    settings.batch = batch;
    const DistillLossResult r = DistillLoss::compute(*student_, teacher_.get(), set, settings);

    const std::string key = weighting.toStdString() + "/" + (lambda == 1.0 ? "1.0" : "0.5");
    const auto& want = expected_["weightings"][key];
    QCOMPARE(r.instances.size(), set.instances.size());
    double sum = 0;
    for (size_t i = 0; i < r.instances.size(); ++i) {
      const InstanceLoss& row = r.instances[i];
      QCOMPARE(row.kind, set.instances[i].kind); // file order
      QCOMPARE(row.bin, set.instances[i].bin());
      QVERIFY2(relDiff(row.kl, expected_["kl"][i].get<double>()) <= 1e-4, qPrintable(QString::number(i)));
      QCOMPARE(row.tokenKl.size(), expected_["token_kl"][i].size());
      for (size_t t = 0; t < row.tokenKl.size(); ++t)
        QVERIFY(relDiff(row.tokenKl[t], expected_["token_kl"][i][t].get<double>()) <= 1e-4);
      QVERIFY(std::abs(row.weight - want["factors"][i].get<double>()) <= 1e-4);
      sum += row.weight * row.kl;
    }
    QCOMPARE(r.loss, sum);
    QVERIFY2(relDiff(r.loss, want["loss"].get<double>()) <= 1e-4, qPrintable(QString::number(r.loss)));
  }

  // No teacher: the student answers from the teacher's prompt, so an instance
  // whose student prompt is the teacher's (every anchor, and question 3's
  // activation) has no KL, and a moved gold has some.
  void studentIsItsOwnTeacher() {
    const DistillSet set = DistillSet::read(ref("r1-set.jsonl"));
    const DistillLossResult r = DistillLoss::compute(*student_, nullptr, set, {});
    QCOMPARE(r.instances.size(), set.instances.size());
    size_t same = 0, moved = 0;
    for (size_t i = 0; i < set.instances.size(); ++i) {
      const DistillInstance& d = set.instances[i];
      if (d.studentPromptIds == d.teacherPromptIds) {
        QVERIFY2(std::abs(r.instances[i].kl) < 1e-5, qPrintable(QString::number(r.instances[i].kl)));
        ++same;
      } else {
        QVERIFY2(r.instances[i].kl > 1e-4, qPrintable(QString::number(r.instances[i].kl)));
        ++moved;
      }
    }
    QVERIFY(same > 0 && moved > 0);
  }

  // The KL sums over one vocabulary: the demo model's 512 tokens are not the reference's 48.
  void teacherWithAnotherVocabularyIsRefused() {
    const std::string demo = resourcePath("demo/poslab-demo-llama");
    const auto other = Engine::open(demo, oneThread());
    try {
      DistillLoss::compute(*student_, other.get(), DistillSet::read(ref("r1-set.jsonl")), {});
      QFAIL("a teacher with another vocabulary was accepted");
    } catch (const Error& e) {
      const QString what = QString::fromUtf8(e.what());
      QVERIFY2(what.contains("poslab-demo-llama") && what.contains("vocab_size"), qPrintable(what));
    }
  }
};

QTEST_GUILESS_MAIN(TestDistillLoss)
#include "test_distill_loss.moc"
