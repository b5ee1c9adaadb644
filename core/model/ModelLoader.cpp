#include "core/model/ModelLoader.h"

#include "core/model/WeightAdapter.h"
#include "core/util/Error.h"
#include "core/weights/WeightSource.h"

#include <filesystem>

namespace poslab {

ModelConfig ModelLoader::readConfig(const WeightSource& source) {
  if (source.kind() == WeightSource::Kind::Gguf) return ModelConfig::fromGguf(*source.gguf());
  const std::filesystem::path config = std::filesystem::path(source.path()) / "config.json";
  if (!std::filesystem::exists(config))
    fail(config.string(), "", "missing (a Hugging Face model folder needs it)");
  return ModelConfig::fromHuggingFaceJson(config.string());
}

LoadedModel ModelLoader::load(const std::string& path, at::ScalarType dtype, const at::Device& device,
                              const LoadControl& control) {
  if (dtype == at::kHalf && device.is_cpu())
    fail(path, "dtype", "f16 is supported on CUDA only; use f32 or bf16 on the CPU");
  LoadedModel loaded;
  loaded.source = WeightSource::open(path);
  ModelConfig config = readConfig(*loaded.source);
  std::optional<ModelWeights> weights = WeightAdapter::load(*loaded.source, config, dtype, device, control);
  if (!weights) return {}; // cancelled: drops the mappings too
  loaded.model = std::make_unique<LlamaModel>(std::move(config), std::move(*weights), device);
  return loaded;
}

} // namespace poslab
