// The forward pass against the independent Python reference (tests/reference):
// every fixture model, fp32 logits to max |Δ| <= 1e-3, batched with left padding,
// with and without the KV cache, and greedy generation.
#include "core/engine/Engine.h"
#include "core/model/CausalSoftmax.h"
#include "core/model/Generator.h"
#include "core/model/KvCache.h"
#include "core/model/LlamaModel.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "tests/model/ModelTestSupport.h"
#include <ATen/Parallel.h>
#include <cmath>

using namespace poslab;
using namespace poslab::test;

namespace {

const char* kFixtures[] = {"llama_basic",
                           "llama_sharded",
                           "llama_bf16",
                           "llama_f16",
                           "llama3_scaling",
                           "llama_linear_scaling",
                           "head_dim",
                           "qwen2_bias",
                           "tied",
                           "mqa",
                           "gqa",
                           "mistral",
                           "gguf_f32/model.gguf",
                           "gguf_q8_0/model.gguf"};

std::string goldenName(const std::string& fixture) {
  return fixture.substr(0, fixture.find('/'));
}

at::Tensor positionsFor(int64_t t) {
  return at::arange(t, at::kLong).unsqueeze(0);
}

// Prefill part of a sequence, then a chunk, then the rest one token at a time
// through the KV cache: the largest |logit - expected| over all positions.
double cachedPassDiff(LlamaModel& model, const at::Tensor& ids, const at::Tensor& expected) {
  const int64_t T = ids.size(1), split = 9, chunk = 7;
  KvCache cache(model.config(), 1, T, at::kFloat, at::kCPU);
  std::vector<at::Tensor> rows;
  rows.push_back(model.forward({ids.narrow(1, 0, split), positionsFor(split), {}}, &cache).squeeze(0));
  // A chunk after cached tokens, in query blocks of 3: each block sees the
  // cache and its own causal prefix, no more.
  model.setQueryBlock(3);
  rows.push_back(
      model
          .forward({ids.narrow(1, split, chunk), positionsFor(split + chunk).narrow(1, split, chunk), {}},
                   &cache)
          .squeeze(0));
  model.setQueryBlock(1024);
  for (int64_t t = split + chunk; t < T; ++t)
    rows.push_back(
        model.forward({ids.narrow(1, t, 1), at::full({1, 1}, t, at::kLong), {}}, &cache).squeeze(0));
  if (cache.length() != T) return INFINITY;
  return maxAbsDiff(at::cat(rows, 0), expected);
}

} // namespace

class TestForward : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(2); }

  void fixtures_data() {
    QTest::addColumn<QString>("fixture");
    for (const char* f : kFixtures)
      QTest::newRow(f) << f;
  }

  void singleSequenceLogitsMatchReference_data() { fixtures_data(); }
  void singleSequenceLogitsMatchReference() {
    QFETCH(QString, fixture);
    at::NoGradGuard g;
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    Golden golden(goldenName(fixture.toStdString()));
    // Whole, and in causal query blocks of 3 rows (LlamaModel::attendCausal),
    // with our AVX-512 causal softmax and with ATen's after an explicit mask.
    for (const bool fused : {true, false}) {
      CausalSoftmax::setEnabled(fused);
      for (const int64_t block : {int64_t(1024), int64_t(3)}) {
        m.model->setQueryBlock(block);
        for (int i = 0; i < 3; ++i) {
          at::Tensor ids = golden.get("ids_" + std::to_string(i)).unsqueeze(0); // [1, T]
          at::Tensor logits = m.model->forward({ids, positionsFor(ids.size(1)), {}}).squeeze(0);
          const double d = maxAbsDiff(logits, golden.get("logits_" + std::to_string(i)));
          QVERIFY2(d <= 1e-3, qPrintable(QString("fused softmax %1, block %2, sequence %3: max |dlogit| %4")
                                             .arg(CausalSoftmax::enabled())
                                             .arg(block)
                                             .arg(i)
                                             .arg(d)));
        }
      }
    }
    CausalSoftmax::setEnabled(true);
  }

  // Three sequences of different lengths in one left-padded batch give each
  // sequence's own logits.
  void paddedBatchMatchesReference_data() { fixtures_data(); }
  void paddedBatchMatchesReference() {
    QFETCH(QString, fixture);
    at::NoGradGuard g;
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    Golden golden(goldenName(fixture.toStdString()));
    std::vector<at::Tensor> seqs;
    int64_t L = 0;
    for (int i = 0; i < 3; ++i) {
      seqs.push_back(golden.get("ids_" + std::to_string(i)));
      L = std::max(L, seqs.back().size(0));
    }
    at::Tensor ids = at::zeros({3, L}, at::kLong), pos = at::zeros({3, L}, at::kLong);
    at::Tensor mask = at::zeros({3, L}, at::kBool);
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t t = seqs[static_cast<size_t>(b)].size(0);
      ids[b].narrow(0, L - t, t).copy_(seqs[static_cast<size_t>(b)]);
      pos[b].narrow(0, L - t, t).copy_(at::arange(t, at::kLong));
      mask[b].narrow(0, L - t, t).fill_(true);
    }
    // Whole, and in query blocks of 3 rows (each block skips the keys after its
    // last row, LlamaModel::attention): the same logits.
    for (const int64_t block : {int64_t(1024), int64_t(3)}) {
      m.model->setQueryBlock(block);
      at::Tensor logits = m.model->forward({ids, pos, mask}); // [3, L, V]
      for (int64_t b = 0; b < 3; ++b) {
        const int64_t t = seqs[static_cast<size_t>(b)].size(0);
        const double d = maxAbsDiff(logits[b].narrow(0, L - t, t), golden.get("logits_" + std::to_string(b)));
        QVERIFY2(d <= 1e-3,
                 qPrintable(QString("block %1, row %2: max |dlogit| %3").arg(block).arg(b).arg(d)));
      }
    }
  }

  // Prefill part of a sequence, then a chunk, then the rest one token at a time
  // through the KV cache: the same logits as one full pass.
  void kvCacheMatchesFullPass_data() { fixtures_data(); }
  void kvCacheMatchesFullPass() {
    QFETCH(QString, fixture);
    at::NoGradGuard g;
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    Golden golden(goldenName(fixture.toStdString()));
    at::Tensor ids = golden.get("ids_1").unsqueeze(0); // [1, 20]
    for (const bool fused : {true, false}) {
      CausalSoftmax::setEnabled(fused);
      const double d = cachedPassDiff(*m.model, ids, golden.get("logits_1"));
      QVERIFY2(d <= 1e-3, qPrintable(QString("fused softmax %1: max |dlogit| %2").arg(fused).arg(d)));
    }
    CausalSoftmax::setEnabled(true);
  }

  void greedyMatchesReference_data() { fixtures_data(); }
  void greedyMatchesReference() {
    QFETCH(QString, fixture);
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    Golden golden(goldenName(fixture.toStdString()));
    at::Tensor prompt = golden.get("greedy_prompt"), expected = golden.get("greedy_ids");
    std::vector<int32_t> p(prompt.data_ptr<int64_t>(), prompt.data_ptr<int64_t>() + prompt.numel());
    GenerationSettings s;
    s.maxNewTokens = expected.numel();
    // The same prompt twice beside a shorter one: batching must not change results.
    std::vector<int32_t> shorter(p.begin(), p.begin() + 2);
    auto out = Generator(*m.model, nullptr).greedy({p, shorter, p}, s);
    std::vector<int32_t> want(expected.data_ptr<int64_t>(), expected.data_ptr<int64_t>() + expected.numel());
    QCOMPARE(out[0].ids, want);
    QCOMPARE(out[2].ids, want);
    QCOMPARE(out[0].stopReason, std::string("length"));
  }

  // bf16 compute cannot match fp32 to 1e-3; it must stay close and pick the
  // same greedy tokens on these well-separated fixtures.
  void bf16ComputeStaysClose() {
    at::NoGradGuard g;
    LoadedModel m = ModelLoader::load(fixturePath("llama_basic"), at::kBFloat16, at::kCPU);
    Golden golden("llama_basic");
    at::Tensor ids = golden.get("ids_1").unsqueeze(0);
    at::Tensor logits = m.model->forward({ids, positionsFor(ids.size(1)), {}}).squeeze(0);
    at::Tensor ref = golden.get("logits_1");
    const double rel = maxAbsDiff(logits, ref) / ref.abs().max().item<double>();
    QVERIFY2(rel < 0.05, qPrintable(QString("bf16 relative error %1").arg(rel)));
    QCOMPARE(logits.dtype(), at::dtype(at::kFloat).dtype());
  }

  // Without gradients, bf16 softmaxes the scores in place, in bf16 (ATen
  // upcasts each row inside the kernel); with gradients on, the fp32 softmax and
  // its cast run as in transformers. The two must give the same logits bit for
  // bit, or inference would run a different model.
  void bf16InPlaceSoftmaxIsExact() {
    LoadedModel m = ModelLoader::load(fixturePath("gqa"), at::kBFloat16, at::kCPU);
    Golden golden("gqa");
    at::Tensor ids = golden.get("ids_1").unsqueeze(0);
    m.model->setTrainingAttention(true); // both in training's path and blocks: only the softmax differs
    at::Tensor inPlace;
    {
      at::NoGradGuard g;
      inPlace = m.model->forward({ids, positionsFor(ids.size(1)), {}});
    }
    QVERIFY(at::GradMode::is_enabled());
    const at::Tensor viaFp32 = m.model->forward({ids, positionsFor(ids.size(1)), {}});
    QVERIFY2(at::equal(inPlace, viaFp32),
             qPrintable(QString("max |dlogit| %1").arg(maxAbsDiff(inPlace, viaFp32))));
  }

  void attentionObserverSeesRowsThatSumToOne() {
    at::NoGradGuard g;
    LoadedModel m = ModelLoader::load(fixturePath("gqa"), at::kFloat, at::kCPU);
    Golden golden("gqa");
    at::Tensor ids = golden.get("ids_1").unsqueeze(0);
    m.model->setQueryBlock(7); // several query blocks per layer
    int calls = 0;
    int64_t rowsSeen = 0;
    AttentionObserver obs = [&](int64_t layer, int64_t start, const at::Tensor& probs) {
      ++calls;
      QVERIFY(layer >= 0 && layer < m.model->config().numLayers);
      QCOMPARE(probs.size(1), m.model->config().numHeads);
      rowsSeen += probs.size(2);
      QVERIFY(maxAbsDiff(probs.sum(-1), at::ones_like(probs.sum(-1))) < 1e-5);
      // causal: query start+i puts no weight on keys after it
      for (int64_t i = 0; i < probs.size(2); ++i)
        if (start + i + 1 < probs.size(3))
          QCOMPARE(probs[0]
                       .select(1, i)
                       .narrow(-1, start + i + 1, probs.size(3) - start - i - 1)
                       .abs()
                       .sum()
                       .item<double>(),
                   0.0);
    };
    at::Tensor logits = m.model->forward({ids, positionsFor(ids.size(1)), {}}, nullptr, &obs).squeeze(0);
    QCOMPARE(calls, 3 * static_cast<int>(m.model->config().numLayers));
    QCOMPARE(rowsSeen, ids.size(1) * m.model->config().numLayers);
    QVERIFY(maxAbsDiff(logits, golden.get("logits_1")) <= 1e-3); // blocking changes nothing
  }

  // The facade's setting (what `poslab-cli attention --query-block` calls): the
  // same logits in blocks of 3 query rows; no rows at all is refused.
  void engineQueryBlockKeepsLogits() {
    const auto engine = Engine::open(fixturePath("gqa"));
    Golden golden("gqa");
    const at::Tensor ids = golden.get("ids_1");
    const std::vector<int32_t> list(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
    const std::vector<float> whole = engine->logits(list);
    engine->setQueryBlock(3);
    const std::vector<float> blocked = engine->logits(list);
    QCOMPARE(blocked.size(), whole.size());
    float worst = 0;
    for (size_t i = 0; i < whole.size(); ++i)
      worst = std::max(worst, std::abs(blocked[i] - whole[i]));
    QVERIFY2(worst <= 1e-5f, qPrintable(QString::number(worst)));
    QVERIFY_THROWS_EXCEPTION(Error, engine->setQueryBlock(0));
  }

  void autogradFlowsToWeights() {
    LoadedModel m = ModelLoader::load(fixturePath("llama_basic"), at::kFloat, at::kCPU);
    for (at::Tensor* t : m.model->weights().all())
      *t = t->detach().clone().set_requires_grad(true);
    Golden golden("llama_basic");
    at::Tensor ids = golden.get("ids_0").unsqueeze(0);
    at::Tensor loss = m.model->forward({ids, positionsFor(ids.size(1)), {}}).logsumexp(-1).mean();
    loss.backward();
    // The fused parameters get the gradients; every projection's rows get some.
    const LayerWeights& l = m.model->weights().layers[0];
    const at::Tensor& qkv = l.wqkv.grad();
    QVERIFY(qkv.defined());
    QCOMPARE(qkv.size(0), l.qRows + 2 * l.kvRows);
    for (const at::Tensor& part : {qkv.narrow(0, 0, l.qRows), qkv.narrow(0, l.qRows, l.kvRows),
                                   qkv.narrow(0, l.qRows + l.kvRows, l.kvRows)})
      QVERIFY(part.abs().sum().item<double>() > 0);
    const at::Tensor& gateUp = l.wGateUp.grad();
    QVERIFY(gateUp.defined());
    QVERIFY(gateUp.narrow(0, 0, l.ffRows()).abs().sum().item<double>() > 0);
    QVERIFY(gateUp.narrow(0, l.ffRows(), l.ffRows()).abs().sum().item<double>() > 0);
    QVERIFY(l.wDown.grad().abs().sum().item<double>() > 0);
  }
};

QTEST_GUILESS_MAIN(TestForward)
#include "test_forward.moc"
