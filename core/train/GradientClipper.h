#pragma once
// Global-norm gradient clipping with torch.nn.utils.clip_grad_norm_'s
// arithmetic (PyTorch 1.13): the L2 norm of the per-tensor L2 norms, and every
// gradient scaled in place by min(1, maxNorm / (norm + 1e-6)).
#include <ATen/ATen.h>
#include <vector>

namespace poslab {

class GradientClipper {
public:
  // The total norm before clipping. maxNorm <= 0 only measures.
  static double clip(std::vector<at::Tensor>& grads, double maxNorm);
};

} // namespace poslab
