#pragma once
// The one place that knows how each source names and lays out weights:
//   Hugging Face: model.layers.N.self_attn.q_proj.weight, ...; lm_head absent when tied.
//   GGUF (llama.cpp): blk.N.attn_q.weight, ...; q/k rows permuted for llama.cpp's
//   interleaved RoPE, which we undo so one rotate_half forward serves both.
// Every tensor's shape is checked against the config before it is used.
#include "core/model/LoadControl.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <optional>

namespace poslab {

class WeightSource;

class WeightAdapter {
public:
  // Loads every tensor the config needs, converted to `dtype` on `device`.
  // Throws poslab::Error naming the file and tensor for missing or misshapen ones
  // (all are checked before the first byte is read). std::nullopt when
  // control.cancel was raised: the tensors loaded so far are freed by then.
  static std::optional<ModelWeights> load(const WeightSource& source, const ModelConfig& config,
                                          at::ScalarType dtype, const at::Device& device,
                                          const LoadControl& control = {});

  // GGUF stores q/k rows as [n_head, head_dim/2, 2] (pairs adjacent); HF as
  // [n_head, 2, head_dim/2] (halves). Exposed for `convert` and its tests.
  static at::Tensor unpermuteGgufRope(const at::Tensor& w, int64_t nHeads); // [n_head*head_dim, in]
};

} // namespace poslab
