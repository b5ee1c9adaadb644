#pragma once
// Opens a model path (Hugging Face folder or .gguf), parses its config, loads
// and checks its weights, and returns a ready LlamaModel.
#include "core/model/LlamaModel.h"
#include "core/model/LoadControl.h"

#include <memory>
#include <string>

namespace poslab {

class WeightSource;

// Both empty when the load was cancelled (LoadControl::cancel).
struct LoadedModel {
  std::shared_ptr<WeightSource> source;
  std::unique_ptr<LlamaModel> model;
};

class ModelLoader {
public:
  // Config only (cheap): for `info` and memory estimates before loading.
  static ModelConfig readConfig(const WeightSource& source);
  // Throws poslab::Error for a bad model; returns an empty LoadedModel (no
  // source, no model) when control.cancel was raised before the last tensor.
  static LoadedModel load(const std::string& path, at::ScalarType dtype, const at::Device& device,
                          const LoadControl& control = {});
};

} // namespace poslab
