#pragma once
// Writes a model in the Hugging Face layout: config.json and model.safetensors
// with transformers' tensor names. Used by `convert` and by training checkpoints.
#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace poslab {

class HuggingFaceWriter {
public:
  static nlohmann::json configJson(const ModelConfig& config, at::ScalarType dtype);
  // Writes dir/config.json and dir/model.safetensors (atomically, each), the
  // weights converted to `dtype` (f32, bf16 or f16).
  static void write(const std::string& dir, const ModelConfig& config, const ModelWeights& weights,
                    at::ScalarType dtype);
  // Writes named tensors (any device, any layout) to one .safetensors file in
  // `dtype`, in the given order, atomically; metadata {"format": "pt"} as
  // transformers and PEFT write it.
  static void writeTensors(const std::string& path,
                           const std::vector<std::pair<std::string, at::Tensor>>& named,
                           at::ScalarType dtype);
};

} // namespace poslab
