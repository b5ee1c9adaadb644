// Random initialisation as transformers' Llama _init_weights: N(0, 0.02)
// matrices, unit RMSNorm gains, zero biases; reproducible from the seed; tied
// embeddings stay one tensor; bf16 is the fp32 draw rounded.
#include "core/train/ModelInitializer.h"
#include "core/train/ParameterNames.h"
#include "tests/train/TrainTestSupport.h"

using namespace poslab;
using namespace poslab::test;

class TestModelInitializer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void followsHuggingFaceInit() {
    ModelConfig c = tinyConfig();
    c.attentionBias = true;
    ModelWeights w = ModelInitializer::weights(c, 5, at::kFloat);
    const double sd = w.embed.std().item<double>();
    QVERIFY2(std::abs(sd - 0.02) < 0.002, qPrintable(QString::number(sd)));
    QVERIFY(std::abs(w.embed.mean().item<double>()) < 0.002);
    QVERIFY(std::abs(w.layers[1].wDown.std().item<double>() - 0.02) < 0.002);
    QVERIFY(at::equal(w.layers[0].attnNorm, at::ones({32})));
    QVERIFY(at::equal(w.finalNorm, at::ones({32})));
    QVERIFY(at::equal(w.layers[0].bq(), at::zeros({32})));
    QVERIFY(!w.lmHead.is_same(w.embed));
    QCOMPARE(w.layers[0].wk().sizes().vec(), (std::vector<int64_t>{16, 32}));
  }

  void seedDecides() {
    ModelWeights a = ModelInitializer::weights(tinyConfig(), 5, at::kFloat);
    ModelWeights b = ModelInitializer::weights(tinyConfig(), 5, at::kFloat);
    ModelWeights c = ModelInitializer::weights(tinyConfig(), 6, at::kFloat);
    auto na = ParameterNames::of(a), nb = ParameterNames::of(b), nc = ParameterNames::of(c);
    for (size_t i = 0; i < na.size(); ++i)
      QVERIFY(at::equal(*na[i].tensor, *nb[i].tensor));
    QVERIFY(!at::equal(a.embed, c.embed));
    QVERIFY(!at::equal(a.layers[0].wq(), a.layers[1].wq())); // every tensor draws its own stream
    QVERIFY(!at::equal(a.layers[0].wq(), a.layers[0].wk().narrow(0, 0, 1).expand_as(a.layers[0].wq())));
  }

  void tiedEmbeddingsAreOneTensor() {
    ModelWeights w = ModelInitializer::weights(tinyConfig(true), 5, at::kBFloat16);
    QVERIFY(w.lmHead.is_same(w.embed));
    QCOMPARE(w.embed.scalar_type(), at::kBFloat16);
    ModelWeights f = ModelInitializer::weights(tinyConfig(true), 5, at::kFloat);
    QVERIFY(at::equal(w.embed, f.embed.to(at::kBFloat16)));
    for (const NamedTensor& n : ParameterNames::of(w))
      QVERIFY(n.name != "lm_head.weight");
  }
};

QTEST_GUILESS_MAIN(TestModelInitializer)
#include "test_model_initializer.moc"
