#include "core/train/AdamW.h"

#include "core/util/Error.h"

#include <cmath>

namespace poslab {

AdamW::AdamW(std::vector<OptimizedParameter> parameters, Options options)
    : params_(std::move(parameters)), options_(options) {
  for (const OptimizedParameter& p : params_) {
    expAvg_.push_back(at::zeros_like(p.value, at::MemoryFormat::Contiguous));
    expAvgSq_.push_back(at::zeros_like(p.value, at::MemoryFormat::Contiguous));
  }
}

void AdamW::step(const std::vector<at::Tensor>& grads, double lr) {
  if (grads.size() != params_.size())
    fail("AdamW", "grads",
         std::to_string(grads.size()) + " gradients for " + std::to_string(params_.size()) + " parameters");
  at::NoGradGuard noGrad;
  ++steps_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  const double biasCorrection1 = 1.0 - std::pow(b1, static_cast<double>(steps_));
  const double biasCorrection2Sqrt = std::sqrt(1.0 - std::pow(b2, static_cast<double>(steps_)));
  const double stepSize = lr / biasCorrection1;
  for (size_t i = 0; i < params_.size(); ++i) {
    at::Tensor& p = params_[i].value;
    const at::Tensor& g = grads[i];
    if (params_[i].decay) p.mul_(1.0 - lr * options_.weightDecay);
    expAvg_[i].mul_(b1).add_(g, 1.0 - b1);
    expAvgSq_[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
    at::Tensor denom = (expAvgSq_[i].sqrt() / biasCorrection2Sqrt).add_(options_.eps);
    p.addcdiv_(expAvg_[i], denom, -stepSize);
  }
}

std::vector<std::pair<std::string, at::Tensor>> AdamW::stateTensors() const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    out.emplace_back("exp_avg." + params_[i].name, expAvg_[i]);
    out.emplace_back("exp_avg_sq." + params_[i].name, expAvgSq_[i]);
  }
  return out;
}

void AdamW::loadState(int64_t steps, const std::map<std::string, at::Tensor>& tensors,
                      const std::string& source) {
  if (steps < 0) fail(source, "step", "must be >= 0");
  at::NoGradGuard noGrad;
  auto restore = [&](const std::string& key, at::Tensor& into) {
    auto it = tensors.find(key);
    if (it == tensors.end()) fail(source, "tensor '" + key + "'", "missing");
    if (it->second.sizes() != into.sizes())
      fail(source, "tensor '" + key + "'", "shape does not match the model's parameter");
    into.copy_(it->second);
  };
  for (size_t i = 0; i < params_.size(); ++i) {
    restore("exp_avg." + params_[i].name, expAvg_[i]);
    restore("exp_avg_sq." + params_[i].name, expAvgSq_[i]);
  }
  steps_ = steps;
}

} // namespace poslab
