#pragma once
// Fresh random weights for training from scratch, as transformers'
// LlamaPreTrainedModel._init_weights: normal(0, initializer_range) for the
// embedding and every linear weight, zeros for biases, ones for RMSNorm gains.
// Each tensor draws from its own generator seeded from (seed, its index in
// ParameterNames order), so the draw does not depend on the others.
#include "core/model/LlamaModel.h"

#include <cstdint>
#include <memory>

namespace poslab {

class ModelInitializer {
public:
  static ModelWeights weights(const ModelConfig& config, uint64_t seed, at::ScalarType dtype,
                              double initializerRange = 0.02);
  static std::unique_ptr<LlamaModel> model(const ModelConfig& config, uint64_t seed, at::ScalarType dtype,
                                           const at::Device& device = at::kCPU,
                                           double initializerRange = 0.02);
};

} // namespace poslab
