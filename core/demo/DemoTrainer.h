#pragma once
// Trains the demo's tiny Llama from scratch on DemoBatchSampler's batches with
// AdamW (decoupled weight decay on matrices only), per-phase linear warm-up
// then cosine decay, and global gradient-norm clipping. The forward pass is the engine's own
// LlamaModel, so the model is trained by the very code that sweeps it.
// Deterministic on one machine for a seed and a thread count: initialisation uses
// a seeded ATen generator and batches are drawn from seeded streams.
#include "core/demo/DemoBatchSampler.h"
#include "core/demo/DemoRecipe.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <functional>

namespace poslab {

struct DemoTrainProgress {
  size_t step = 0;  // 1-based, after the update
  size_t total = 0; //
  double loss = 0;  // mean answer-token cross-entropy of this step's batch
  double learningRate = 0;
  double seconds = 0; // since training began
};

class DemoTrainer {
public:
  DemoTrainer(const DemoRecipe& recipe, ModelConfig config);

  // Fresh weights: N(0, initStd) matrices and embeddings, unit RMSNorm scales.
  static ModelWeights initialWeights(const ModelConfig& config, double stddev, uint64_t seed);

  // Runs recipe.totalSteps() updates (or `stepLimit` if nonzero) on `weights`.
  // `progress` is called after each step.
  void train(ModelWeights& weights, const DemoBatchSampler& sampler,
             const std::function<void(const DemoTrainProgress&)>& progress, size_t stepLimit = 0) const;

  // Per phase: linear warm-up, then cosine decay to 0 over the phase.
  double learningRate(size_t step) const;

private:
  DemoRecipe recipe_;
  ModelConfig config_;
};

} // namespace poslab
