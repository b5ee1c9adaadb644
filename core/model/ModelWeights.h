#pragma once
// The model's weights in PosLab's one internal layout (Hugging Face's: [out, in]
// matrices, q/k rows in rotate_half order). WeightAdapter fills it from any source.
#include <ATen/ATen.h>
#include <vector>

namespace poslab {

struct LayerWeights {
  at::Tensor attnNorm;   // [d_model]
  at::Tensor wq, wk, wv; // [n_heads*head_dim, d_model], [n_kv*head_dim, d_model] x2
  at::Tensor bq, bk, bv; // [n_heads*head_dim], [n_kv*head_dim] x2; undefined without biases
  at::Tensor wo;         // [d_model, n_heads*head_dim]
  at::Tensor ffnNorm;    // [d_model]
  at::Tensor wGate, wUp; // [d_ff, d_model]
  at::Tensor wDown;      // [d_model, d_ff]
};

struct ModelWeights {
  at::Tensor embed; // [vocab, d_model]
  std::vector<LayerWeights> layers;
  at::Tensor finalNorm; // [d_model]
  at::Tensor lmHead;    // [vocab, d_model]; the same tensor as embed when tied

  // Every tensor, for optimisers and for moving between devices.
  std::vector<at::Tensor*> all();
};

} // namespace poslab
