#include "core/train/ModelInitializer.h"

#include "core/data/SeededRandom.h"
#include "core/train/ParameterNames.h"

#include <ATen/CPUGeneratorImpl.h>

namespace poslab {

ModelWeights ModelInitializer::weights(const ModelConfig& c, uint64_t seed, at::ScalarType dtype,
                                       double initializerRange) {
  c.validate("model config");
  const int64_t d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  auto shape = [](std::initializer_list<int64_t> s) { return at::zeros(s, at::kFloat); };
  ModelWeights w;
  w.embed = shape({c.vocabSize, d});
  for (int64_t i = 0; i < c.numLayers; ++i) {
    LayerWeights l;
    l.attnNorm = shape({d});
    l.wq = shape({q, d});
    l.wk = shape({kv, d});
    l.wv = shape({kv, d});
    if (c.attentionBias) {
      l.bq = shape({q});
      l.bk = shape({kv});
      l.bv = shape({kv});
    }
    l.wo = shape({d, q});
    l.ffnNorm = shape({d});
    l.wGate = shape({c.intermediateSize, d});
    l.wUp = shape({c.intermediateSize, d});
    l.wDown = shape({d, c.intermediateSize});
    w.layers.push_back(std::move(l));
  }
  w.finalNorm = shape({d});
  w.lmHead = c.tieWordEmbeddings ? w.embed : shape({c.vocabSize, d});

  // Drawn in fp32 on the CPU, then cast: the same seed gives the same model in either dtype.
  std::vector<NamedTensor> named = ParameterNames::of(w);
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor& t = *named[i].tensor;
    const std::string& name = named[i].name;
    if (name.ends_with("norm.weight"))
      t.fill_(1.0);
    else if (name.ends_with(".bias"))
      t.zero_();
    else {
      at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(SeededRandom::derive(seed, i));
      t.normal_(0.0, initializerRange, gen);
    }
  }
  const bool tied = w.lmHead.is_same(w.embed);
  for (const NamedTensor& n : named)
    *n.tensor = n.tensor->to(dtype);
  if (tied) w.lmHead = w.embed;
  return w;
}

std::unique_ptr<LlamaModel> ModelInitializer::model(const ModelConfig& config, uint64_t seed,
                                                    at::ScalarType dtype, const at::Device& device,
                                                    double initializerRange) {
  ModelWeights w = weights(config, seed, dtype, initializerRange);
  const bool tied = w.lmHead.is_same(w.embed);
  for (const NamedTensor& n : ParameterNames::of(w))
    *n.tensor = n.tensor->to(device);
  if (tied) w.lmHead = w.embed;
  return std::make_unique<LlamaModel>(config, std::move(w), device);
}

} // namespace poslab
