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
  // Hugging Face's separate projections, drawn in HF's parameter order (each
  // tensor its own seeded stream), then joined into ModelWeights' fused layout.
  struct Layer {
    at::Tensor attnNorm, wq, wk, wv, bq, bk, bv, wo, ffnNorm, wGate, wUp, wDown;
  };
  at::Tensor embed = shape({c.vocabSize, d}), finalNorm = shape({d});
  at::Tensor lmHead = c.tieWordEmbeddings ? embed : shape({c.vocabSize, d});
  std::vector<Layer> layers(static_cast<size_t>(c.numLayers));
  std::vector<std::pair<std::string, at::Tensor*>> named{{"model.embed_tokens.weight", &embed}};
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer& l = layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    l.attnNorm = shape({d});
    l.wq = shape({q, d});
    l.wk = shape({kv, d});
    l.wv = shape({kv, d});
    l.wo = shape({d, q});
    l.ffnNorm = shape({d});
    l.wGate = shape({c.intermediateSize, d});
    l.wUp = shape({c.intermediateSize, d});
    l.wDown = shape({d, c.intermediateSize});
    named.insert(named.end(), {{p + "input_layernorm.weight", &l.attnNorm},
                               {p + "self_attn.q_proj.weight", &l.wq},
                               {p + "self_attn.k_proj.weight", &l.wk},
                               {p + "self_attn.v_proj.weight", &l.wv}});
    if (c.attentionBias) {
      l.bq = shape({q});
      l.bk = shape({kv});
      l.bv = shape({kv});
      named.insert(named.end(), {{p + "self_attn.q_proj.bias", &l.bq},
                                 {p + "self_attn.k_proj.bias", &l.bk},
                                 {p + "self_attn.v_proj.bias", &l.bv}});
    }
    named.insert(named.end(), {{p + "self_attn.o_proj.weight", &l.wo},
                               {p + "post_attention_layernorm.weight", &l.ffnNorm},
                               {p + "mlp.gate_proj.weight", &l.wGate},
                               {p + "mlp.up_proj.weight", &l.wUp},
                               {p + "mlp.down_proj.weight", &l.wDown}});
  }
  named.push_back({"model.norm.weight", &finalNorm});
  if (!c.tieWordEmbeddings) named.push_back({"lm_head.weight", &lmHead});

  // Drawn in fp32 on the CPU, then cast: the same seed gives the same model in either dtype.
  for (size_t i = 0; i < named.size(); ++i) {
    at::Tensor& t = *named[i].second;
    const std::string& name = named[i].first;
    if (name.ends_with("norm.weight"))
      t.fill_(1.0);
    else if (name.ends_with(".bias"))
      t.zero_();
    else {
      at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(SeededRandom::derive(seed, i));
      t.normal_(0.0, initializerRange, gen);
    }
  }
  ModelWeights w;
  w.embed = embed.to(dtype);
  w.lmHead = c.tieWordEmbeddings ? w.embed : lmHead.to(dtype);
  w.finalNorm = finalNorm.to(dtype);
  for (Layer& l : layers) {
    LayerWeights lw;
    lw.attnNorm = l.attnNorm.to(dtype);
    lw.setAttention(
        l.wq.to(dtype), l.wk.to(dtype), l.wv.to(dtype), l.bq.defined() ? l.bq.to(dtype) : at::Tensor(),
        l.bk.defined() ? l.bk.to(dtype) : at::Tensor(), l.bv.defined() ? l.bv.to(dtype) : at::Tensor());
    lw.wo = l.wo.to(dtype);
    lw.ffnNorm = l.ffnNorm.to(dtype);
    lw.setFeedForward(l.wGate.to(dtype), l.wUp.to(dtype));
    lw.wDown = l.wDown.to(dtype);
    w.layers.push_back(std::move(lw));
  }
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
