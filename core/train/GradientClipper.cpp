#include "core/train/GradientClipper.h"

namespace poslab {

double GradientClipper::clip(std::vector<at::Tensor>& grads, double maxNorm) {
  if (grads.empty()) return 0.0;
  at::NoGradGuard noGrad;
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
  for (const at::Tensor& g : grads)
    norms.push_back(at::norm(g, 2));
  at::Tensor total = at::norm(at::stack(norms), 2); // 0-d
  if (maxNorm > 0) {
    at::Tensor coef = at::clamp_max(maxNorm / (total + 1e-6), 1.0);
    for (at::Tensor& g : grads)
      g.mul_(coef);
  }
  return total.item<double>();
}

} // namespace poslab
