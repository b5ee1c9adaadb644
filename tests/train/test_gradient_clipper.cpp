// Global-norm clipping against torch.nn.utils.clip_grad_norm_ (max_norm 1.0):
// the returned norm and the clipped gradients, for steps below and above the bound.
#include "core/train/GradientClipper.h"
#include "tests/train/TrainTestSupport.h"

using namespace poslab;
using namespace poslab::test;

class TestGradientClipper : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void matchesTorch_data() {
    QTest::addColumn<int>("step");
    QTest::newRow("norm 0.1 scale: not clipped") << 0;
    QTest::newRow("norm 3 scale: clipped") << 1;
    QTest::newRow("norm 0.5 scale") << 2;
    QTest::newRow("norm 10 scale: clipped") << 3;
  }
  void matchesTorch() {
    QFETCH(int, step);
    TensorFile ref(fixturePath("train_reference/adamw.safetensors"));
    const std::string s = std::to_string(step);
    std::vector<at::Tensor> grads;
    for (const char* n : {"w", "g", "e"})
      grads.push_back(ref.get("grad_" + s + "_" + n));
    const double norm = GradientClipper::clip(grads, 1.0);
    const double want = ref.get("norm_" + s)[0].item<double>();
    QVERIFY2(std::abs(norm - want) <= 1e-6 * std::max(1.0, want), qPrintable(QString::number(norm)));
    int i = 0;
    for (const char* n : {"w", "g", "e"})
      QVERIFY(maxAbsDiff(grads[static_cast<size_t>(i++)], ref.get("clipped_" + s + "_" + n)) <= 1e-6);
  }

  void clippedNormIsTheBound() {
    std::vector<at::Tensor> grads{at::full({3}, 4.0), at::full({4}, -3.0)};
    const double norm = GradientClipper::clip(grads, 2.0);
    QVERIFY(std::abs(norm - std::sqrt(3 * 16.0 + 4 * 9.0)) < 1e-5);
    const double after =
        std::sqrt(grads[0].pow(2).sum().item<double>() + grads[1].pow(2).sum().item<double>());
    QVERIFY(std::abs(after - 2.0) < 1e-5);
  }

  void nonPositiveBoundOnlyMeasures() {
    std::vector<at::Tensor> grads{at::full({4}, 5.0)};
    QVERIFY(std::abs(GradientClipper::clip(grads, 0.0) - 10.0) < 1e-6);
    QCOMPARE(grads[0][0].item<float>(), 5.0f);
  }
};

QTEST_GUILESS_MAIN(TestGradientClipper)
#include "test_gradient_clipper.moc"
