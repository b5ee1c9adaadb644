#pragma once
// Rotary position embedding in Hugging Face's rotate_half layout, with the
// frequency adjustments of rope_scaling "linear" and "llama3".
#include "core/model/ModelConfig.h"

#include <ATen/ATen.h>
#include <utility>

namespace poslab {

class RotaryEmbedding {
public:
  RotaryEmbedding(const ModelConfig& config, const at::Device& device);

  // positions [B, T] int64 -> (cos, sin), each [B, 1, T, head_dim] in `dtype`.
  std::pair<at::Tensor, at::Tensor> cosSin(const at::Tensor& positions, at::ScalarType dtype) const;

  // x [B, H, T, head_dim] -> x*cos + rotate_half(x)*sin
  static at::Tensor apply(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

  const at::Tensor& inverseFrequencies() const { return invFreq_; } // [head_dim/2] fp32

private:
  at::Tensor invFreq_;
};

} // namespace poslab
