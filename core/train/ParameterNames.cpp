#include "core/train/ParameterNames.h"

namespace poslab {

std::vector<NamedTensor> ParameterNames::of(ModelWeights& w) {
  std::vector<NamedTensor> out;
  out.push_back({"model.embed_tokens.weight", &w.embed});
  for (size_t i = 0; i < w.layers.size(); ++i) {
    LayerWeights& l = w.layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    out.push_back({p + "input_layernorm.weight", &l.attnNorm});
    out.push_back({p + "self_attn.qkv_proj.weight", &l.wqkv});
    if (l.bqkv.defined()) out.push_back({p + "self_attn.qkv_proj.bias", &l.bqkv});
    out.push_back({p + "self_attn.o_proj.weight", &l.wo});
    out.push_back({p + "post_attention_layernorm.weight", &l.ffnNorm});
    out.push_back({p + "mlp.gate_up_proj.weight", &l.wGateUp});
    out.push_back({p + "mlp.down_proj.weight", &l.wDown});
  }
  out.push_back({"model.norm.weight", &w.finalNorm});
  if (!w.lmHead.is_same(w.embed)) out.push_back({"lm_head.weight", &w.lmHead});
  return out;
}

} // namespace poslab
