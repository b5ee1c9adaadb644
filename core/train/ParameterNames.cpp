#include "core/train/ParameterNames.h"

namespace poslab {

std::vector<NamedTensor> ParameterNames::of(ModelWeights& w) {
  std::vector<NamedTensor> out;
  out.push_back({"model.embed_tokens.weight", &w.embed});
  for (size_t i = 0; i < w.layers.size(); ++i) {
    LayerWeights& l = w.layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    out.push_back({p + "input_layernorm.weight", &l.attnNorm});
    out.push_back({p + "self_attn.q_proj.weight", &l.wq});
    out.push_back({p + "self_attn.k_proj.weight", &l.wk});
    out.push_back({p + "self_attn.v_proj.weight", &l.wv});
    if (l.bq.defined()) {
      out.push_back({p + "self_attn.q_proj.bias", &l.bq});
      out.push_back({p + "self_attn.k_proj.bias", &l.bk});
      out.push_back({p + "self_attn.v_proj.bias", &l.bv});
    }
    out.push_back({p + "self_attn.o_proj.weight", &l.wo});
    out.push_back({p + "post_attention_layernorm.weight", &l.ffnNorm});
    out.push_back({p + "mlp.gate_proj.weight", &l.wGate});
    out.push_back({p + "mlp.up_proj.weight", &l.wUp});
    out.push_back({p + "mlp.down_proj.weight", &l.wDown});
  }
  out.push_back({"model.norm.weight", &w.finalNorm});
  if (!w.lmHead.is_same(w.embed)) out.push_back({"lm_head.weight", &w.lmHead});
  return out;
}

} // namespace poslab
