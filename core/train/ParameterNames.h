#pragma once
// The model's trainable tensors under their Hugging Face names (the names
// HuggingFaceWriter writes), in one fixed order. Tied embeddings appear once,
// as model.embed_tokens.weight. Used for optimizer state keys, initialisation
// seeds and checkpoint loading.
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
