#pragma once
// The model's trainable tensors, named, in one fixed order: Hugging Face's
// names except for ModelWeights' fused projections, which are named
// "self_attn.qkv_proj.*" and "mlp.gate_up_proj.weight" (the checkpoint's
// model.safetensors still has HF's separate names: HuggingFaceWriter splits
// them). Tied embeddings appear once, as model.embed_tokens.weight. Used for
// optimizer state keys.
#include "core/model/ModelWeights.h"

#include <string>
#include <vector>

namespace poslab {

struct NamedTensor {
  std::string name;
  at::Tensor* tensor; // into the ModelWeights
};

class ParameterNames {
public:
  static std::vector<NamedTensor> of(ModelWeights& weights);
  // Weight decay applies to matrices and embeddings, not to norm gains or
  // biases (as nanoGPT's configure_optimizers and transformers' Trainer do).
  static bool decays(const at::Tensor& t) { return t.dim() >= 2; }
};

} // namespace poslab
