// LayerCheckpoint (activation checkpointing): the gradients of every weight
// and of the embeddings are those of the plain backward, on a reference
// fixture with GQA, and with an attention mask (padded batch). Without grad
// mode (sweeps, the no-grad pre-pass) it is not used at all.
#include "core/model/LayerCheckpoint.h"
#include "core/model/LlamaModel.h"
#include "core/model/ModelLoader.h"
#include "tests/model/ModelTestSupport.h"

#include <ATen/Parallel.h>
#include <QtTest/QtTest>

using namespace poslab;
using namespace poslab::test;

namespace {

std::vector<at::Tensor*> parameters(ModelWeights& w) {
  std::vector<at::Tensor*> out{&w.embed, &w.finalNorm};
  for (LayerWeights& l : w.layers)
    for (at::Tensor* t : {&l.attnNorm, &l.wqkv, &l.wo, &l.ffnNorm, &l.wGateUp, &l.wDown})
      out.push_back(t);
  return out;
}

// Loss = <hidden, probe> over a padded batch of two rows; the gradients of every parameter.
std::vector<at::Tensor> gradients(const std::string& fixture, bool padded, bool checkpoint) {
  LoadedModel m = ModelLoader::load(fixturePath(fixture), at::kFloat, at::kCPU);
  LlamaModel& model = *m.model;
  for (at::Tensor* t : parameters(model.weights()))
    *t = t->detach().clone().requires_grad_(true);
  model.setActivationCheckpointing(checkpoint);
  const int64_t vocab = model.config().vocabSize;
  at::Tensor ids = at::arange(24, at::kLong).mul_(37).remainder_(vocab).view({2, 12});
  at::Tensor positions = at::arange(12, at::kLong).expand({2, 12}).contiguous();
  at::Tensor valid = at::ones({2, 12}, at::kBool);
  valid[1].narrow(0, 0, 3).fill_(false); // left padding in row 1
  // Unpadded: no mask at all, the causal one is built inside.
  at::Tensor h = model.hidden({ids, positions, padded ? valid : at::Tensor()}); // [2, 12, d]
  at::Tensor probe = at::sin(at::arange(h.numel(), at::kFloat)).view(h.sizes());
  (h * probe).sum().backward();
  std::vector<at::Tensor> out;
  for (at::Tensor* t : parameters(model.weights()))
    out.push_back(t->grad().clone());
  return out;
}

} // namespace

class TestLayerCheckpoint : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void gradientsAreThePlainOnes_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<bool>("padded");
    QTest::newRow("llama_basic, padded") << "llama_basic" << true;
    QTest::newRow("llama_basic, unpadded") << "llama_basic" << false;
    QTest::newRow("gqa, padded") << "gqa" << true;
  }
  void gradientsAreThePlainOnes() {
    QFETCH(QString, fixture);
    QFETCH(bool, padded);
    const std::vector<at::Tensor> plain = gradients(fixture.toStdString(), padded, false);
    const std::vector<at::Tensor> recomputed = gradients(fixture.toStdString(), padded, true);
    QCOMPARE(recomputed.size(), plain.size());
    for (size_t i = 0; i < plain.size(); ++i) {
      QVERIFY(plain[i].defined() && recomputed[i].defined());
      const double scale = std::max(1.0, plain[i].abs().max().item<double>());
      const double diff = maxAbsDiff(plain[i], recomputed[i]);
      QVERIFY2(diff <= 1e-5 * scale, qPrintable(QString("parameter %1: %2").arg(i).arg(diff)));
      QVERIFY(plain[i].abs().sum().item<double>() > 0); // a real gradient, not two zeros
    }
  }

  void frozenLayersAndNoGradPassesAreUntouched() {
    LoadedModel m = ModelLoader::load(fixturePath("llama_basic"), at::kFloat, at::kCPU);
    m.model->setActivationCheckpointing(true);
    QVERIFY(LayerCheckpoint::trainableWeights(*m.model, 0).empty()); // loaded weights need no grad
    at::Tensor ids = at::arange(8, at::kLong).view({1, 8});
    at::Tensor positions = at::arange(8, at::kLong).view({1, 8});
    at::NoGradGuard noGrad;
    at::Tensor h = m.model->hidden({ids, positions, {}});
    QVERIFY(!h.requires_grad());
    QVERIFY(!h.grad_fn());
  }
};

QTEST_APPLESS_MAIN(TestLayerCheckpoint)
#include "test_layer_checkpoint.moc"
