#include "core/demo/DemoTrainer.h"

#include "core/model/LlamaModel.h"
#include "core/train/ModelInitializer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/Reduction.h>
#include <chrono>
#include <cmath>

namespace poslab {

namespace {

// AdamW's running moments for one parameter.
struct Moments {
  at::Tensor m, v;
};

} // namespace

DemoTrainer::DemoTrainer(const DemoRecipe& recipe, ModelConfig config)
    : recipe_(recipe), config_(std::move(config)) {}

ModelWeights DemoTrainer::initialWeights(const ModelConfig& c, double stddev, uint64_t seed) {
  // The training loop's own initialiser (core/train), so a demo model starts as
  // any from-scratch `poslab-cli train --init` run with the same seed would.
  return ModelInitializer::weights(c, seed, at::kFloat, stddev);
}

double DemoTrainer::learningRate(size_t step) const {
  // Each phase has its own warm-up and cosine decay: phase B must learn its
  // long contexts at full rate, not at the tail of phase A's schedule.
  const bool phaseA = step < recipe_.phaseASteps;
  const size_t local = phaseA ? step : step - recipe_.phaseASteps;
  const size_t length = phaseA ? recipe_.phaseASteps : recipe_.phaseBSteps;
  const double warm =
      std::min(1.0, static_cast<double>(local + 1) / static_cast<double>(recipe_.warmupSteps));
  const double cosine =
      0.5 * (1.0 + std::cos(M_PI * static_cast<double>(local) / static_cast<double>(length)));
  return recipe_.learningRate * warm * cosine;
}

void DemoTrainer::train(ModelWeights& weights, const DemoBatchSampler& sampler,
                        const std::function<void(const DemoTrainProgress&)>& progress,
                        size_t stepLimit) const {
  const size_t total = recipe_.totalSteps();
  const size_t steps = stepLimit ? std::min(stepLimit, total) : total;
  std::vector<at::Tensor*> params = weights.all();
  for (at::Tensor* p : params)
    p->requires_grad_(true);
  std::vector<Moments> moments;
  for (at::Tensor* p : params)
    moments.push_back({at::zeros_like(*p), at::zeros_like(*p)});
  // The model holds shallow copies of the tensors: updates in place reach it.
  LlamaModel model(config_, weights, at::kCPU);
  const auto start = std::chrono::steady_clock::now();

  for (size_t step = 0; step < steps; ++step) {
    const DemoBatch batch = sampler.batch(step);
    const int64_t B = batch.ids.size(0), T = batch.ids.size(1);
    // Right padding: real tokens precede the pads, so the causal mask alone keeps
    // pads out of every real token's attention; pads carry no loss.
    ForwardBatch fb{batch.ids, at::arange(T, at::kLong).unsqueeze(0).expand({B, T}), at::Tensor()};
    at::Tensor logits = model.forward(fb); // [B, T, vocab] fp32
    at::Tensor loss = at::cross_entropy_loss(logits.view({B * T, -1}), batch.targets.view({B * T}), {},
                                             at::Reduction::Mean, -100);
    loss.backward();

    const double lr = learningRate(step);
    {
      at::NoGradGuard noGrad;
      // Global gradient-norm clipping.
      double sq = 0;
      for (at::Tensor* p : params)
        sq += p->grad().pow(2).sum().item<double>();
      const double norm = std::sqrt(sq);
      const double clip = norm > recipe_.gradClip ? recipe_.gradClip / (norm + 1e-6) : 1.0;
      const double t = static_cast<double>(step + 1);
      const double bc1 = 1.0 - std::pow(recipe_.beta1, t), bc2 = 1.0 - std::pow(recipe_.beta2, t);
      for (size_t i = 0; i < params.size(); ++i) {
        at::Tensor& p = *params[i];
        at::Tensor g = p.grad() * clip;
        Moments& mo = moments[i];
        mo.m.mul_(recipe_.beta1).add_(g, 1.0 - recipe_.beta1);
        mo.v.mul_(recipe_.beta2).addcmul_(g, g, 1.0 - recipe_.beta2);
        // Decoupled weight decay (Loshchilov & Hutter) on matrices; norm scales keep theirs.
        if (p.dim() == 2 && recipe_.weightDecay > 0) p.mul_(1.0 - lr * recipe_.weightDecay);
        at::Tensor denom = (mo.v / bc2).sqrt_().add_(recipe_.adamEps);
        p.addcdiv_(mo.m, denom, -lr / bc1);
        p.mutable_grad() = at::Tensor();
      }
    }
    if (progress) {
      DemoTrainProgress info;
      info.step = step + 1;
      info.total = steps;
      info.loss = loss.item<double>();
      info.learningRate = lr;
      info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress(info);
    }
  }
  for (at::Tensor* p : params)
    p->requires_grad_(false);
}

} // namespace poslab
