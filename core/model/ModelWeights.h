#pragma once
// The model's weights in PosLab's one internal layout (Hugging Face's: [out, in]
// matrices, q/k rows in rotate_half order). WeightAdapter fills it from any source.
//
// q/k/v are stored as one matrix and gate/up as another so each is one GEMM in
// the forward pass (one pass over the activations instead of three or two).
// The fused tensors are the parameters: optimisers and device moves see them
// (all()), and their gradients hold the per-projection gradients row by row.
// wq() ... wUp() are views into them (sharing storage and autograd history) for
// code that needs HF's separate projections, such as HuggingFaceWriter.
#include <ATen/ATen.h>
#include <vector>

namespace poslab {

struct LayerWeights {
  at::Tensor attnNorm; // [d_model]
  at::Tensor wqkv;     // [(n_heads + 2*n_kv)*head_dim, d_model]: q rows, then k, then v
  at::Tensor bqkv;     // [(n_heads + 2*n_kv)*head_dim]; undefined without biases
  at::Tensor wo;       // [d_model, n_heads*head_dim]
  at::Tensor ffnNorm;  // [d_model]
  at::Tensor wGateUp;  // [2*d_ff, d_model]: gate rows, then up rows
  at::Tensor wDown;    // [d_model, d_ff]
  int64_t qRows = 0;   // n_heads*head_dim
  int64_t kvRows = 0;  // n_kv*head_dim

  at::Tensor wq() const { return wqkv.narrow(0, 0, qRows); }      // [n_heads*head_dim, d_model]
  at::Tensor wk() const { return wqkv.narrow(0, qRows, kvRows); } // [n_kv*head_dim, d_model]
  at::Tensor wv() const { return wqkv.narrow(0, qRows + kvRows, kvRows); }
  at::Tensor bq() const { return bqkv.defined() ? bqkv.narrow(0, 0, qRows) : at::Tensor(); }
  at::Tensor bk() const { return bqkv.defined() ? bqkv.narrow(0, qRows, kvRows) : at::Tensor(); }
  at::Tensor bv() const { return bqkv.defined() ? bqkv.narrow(0, qRows + kvRows, kvRows) : at::Tensor(); }
  int64_t ffRows() const { return wGateUp.size(0) / 2; }              // d_ff
  at::Tensor wGate() const { return wGateUp.narrow(0, 0, ffRows()); } // [d_ff, d_model]
  at::Tensor wUp() const { return wGateUp.narrow(0, ffRows(), ffRows()); }

  // Joins separate projections (each [rows, d_model]; biases may be undefined,
  // all three or none) into the fused layout above.
  void setAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, const at::Tensor& biasQ,
                    const at::Tensor& biasK, const at::Tensor& biasV);
  void setFeedForward(const at::Tensor& gate, const at::Tensor& up);
};

struct ModelWeights {
  at::Tensor embed; // [vocab, d_model]
  std::vector<LayerWeights> layers;
  at::Tensor finalNorm; // [d_model]
  at::Tensor lmHead;    // [vocab, d_model]; the same tensor as embed when tied

  // Every parameter tensor (the fused ones, not the views), for optimisers and
  // for moving between devices.
  std::vector<at::Tensor*> all();
};

} // namespace poslab
