#include "core/lora/PeftAdapter.h"

#include "core/model/HuggingFaceWriter.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/ShapeText.h"
#include "core/weights/TensorLoader.h"

#include <array>
#include <filesystem>
#include <functional>
#include <set>

namespace poslab {

namespace fs = std::filesystem;

namespace {

std::string configPath(const std::string& dir) {
  return (fs::path(dir) / "adapter_config.json").string();
}

} // namespace

std::string PeftAdapter::tensorName(int64_t layer, LoraTarget t, bool a) {
  return "base_model.model." + loraModulePath(layer, t) + (a ? ".lora_A.weight" : ".lora_B.weight");
}

bool PeftAdapter::isAdapterFolder(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::is_regular_file(configPath(path), ec);
}

LoraConfig PeftAdapter::readConfig(const std::string& dir) {
  const std::string path = configPath(dir);
  if (!fs::is_regular_file(path)) fail(path, "", "missing (a PEFT adapter folder needs adapter_config.json)");
  return LoraConfig::fromJson(JsonFile::readObject(path), path);
}

std::string PeftAdapter::resolveBase(const std::string& dir) {
  const LoraConfig c = readConfig(dir);
  const std::string path = configPath(dir);
  if (c.baseModel.empty())
    fail(path, "base_model_name_or_path", "empty: give the base model as MODEL and this folder as --adapter");
  std::error_code ec;
  if (fs::exists(c.baseModel, ec)) return c.baseModel;
  const fs::path beside = fs::path(dir) / c.baseModel;
  if (fs::path(c.baseModel).is_relative() && fs::exists(beside, ec))
    return beside.lexically_normal().string();
  fail(path, "base_model_name_or_path",
       "'" + c.baseModel +
           "' is not a folder or file here (a hub name cannot be fetched offline): give the base "
           "model as MODEL and this folder as --adapter");
}

std::array<int64_t, 2> PeftAdapter::projectionShape(const ModelConfig& c, LoraTarget t) {
  const int64_t d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  const int64_t ff = c.intermediateSize;
  switch (t) {
  case LoraTarget::Q:
    return {q, d};
  case LoraTarget::K:
  case LoraTarget::V:
    return {kv, d};
  case LoraTarget::O:
    return {d, q};
  case LoraTarget::Gate:
  case LoraTarget::Up:
    return {ff, d};
  case LoraTarget::Down:
    return {d, ff};
  }
  return {0, 0};
}

namespace {

// Checks the folder against a base config; calls take(layer, t, A view, B view)
// for every adapted projection, in layer then LoraTarget order.
LoraConfig checkFolder(const std::string& dir, const ModelConfig& mc,
                       const std::function<void(int64_t, LoraTarget, const TensorView&, const TensorView&,
                                                const SafetensorsFile&)>& take) {
  LoraConfig c = PeftAdapter::readConfig(dir);
  c.checkAgainst(mc.numLayers, configPath(dir));

  const fs::path file = fs::path(dir) / "adapter_model.safetensors";
  if (!fs::is_regular_file(file)) {
    if (fs::exists(fs::path(dir) / "adapter_model.bin"))
      fail((fs::path(dir) / "adapter_model.bin").string(), "",
           "PyTorch pickles are not read (they can run code); save the adapter with safe_serialization=True");
    fail(file.string(), "", "missing (a PEFT adapter folder needs its weights)");
  }
  const SafetensorsFile st(file.string());
  std::set<std::string> expected;
  for (int64_t l = 0; l < mc.numLayers; ++l)
    for (LoraTarget t : kAllLoraTargets) {
      if (!c.adapts(l, t)) continue;
      const auto [outRows, in] = PeftAdapter::projectionShape(mc, t);
      auto get = [&](bool a) -> const TensorView& {
        const std::string name = PeftAdapter::tensorName(l, t, a);
        expected.insert(name);
        const TensorView* v = st.find(name);
        if (!v)
          fail(file.string(), "tensor '" + name + "'",
               "missing (adapter_config.json targets this projection)");
        const std::vector<int64_t> want =
            a ? std::vector<int64_t>{c.r, in} : std::vector<int64_t>{outRows, c.r};
        if (v->shape != want)
          fail(file.string(), "tensor '" + name + "'",
               "shape " + shapeText(v->shape) + " but r = " + std::to_string(c.r) + " and the base's " +
                   loraModuleName(t) + " need " + shapeText(want));
        if (v->dtype != DType::F32 && v->dtype != DType::BF16 && v->dtype != DType::F16)
          fail(file.string(), "tensor '" + name + "'",
               std::string("dtype ") + dtypeName(v->dtype) + " is not a float");
        return *v;
      };
      const TensorView& a = get(true);
      take(l, t, a, get(false), st);
    }
  for (const TensorView& v : st.tensors())
    if (!expected.count(v.name))
      fail(file.string(), "tensor '" + v.name + "'",
           "is not the lora_A/lora_B of a projection adapter_config.json targets (DoRA magnitudes, embedding "
           "adapters, biases and modules_to_save are not supported)");
  return c;
}

} // namespace

LoraConfig PeftAdapter::check(const std::string& dir, const ModelConfig& base) {
  return checkFolder(
      dir, base, [](int64_t, LoraTarget, const TensorView&, const TensorView&, const SafetensorsFile&) {});
}

LoadedAdapter PeftAdapter::load(const std::string& dir, const LlamaModel& base) {
  return load(dir, base.config(), base.device());
}

LoadedAdapter PeftAdapter::load(const std::string& dir, const ModelConfig& base, const at::Device& device) {
  LoadedAdapter out;
  auto weights = std::make_shared<LoraWeights>();
  weights->layers.resize(static_cast<size_t>(base.numLayers));
  out.config = checkFolder(
      dir, base,
      [&](int64_t l, LoraTarget t, const TensorView& a, const TensorView& b, const SafetensorsFile& st) {
        LoraPair& p = weights->pair(l, t);
        p.a = loadTensor(a, st.mapping(), at::kFloat, device); // [r, in]
        p.b = loadTensor(b, st.mapping(), at::kFloat, device); // [out, r]
        if (!at::isfinite(p.a).all().item<bool>())
          fail(st.path(), "tensor '" + a.name + "'", "holds NaN or infinite values");
        if (!at::isfinite(p.b).all().item<bool>())
          fail(st.path(), "tensor '" + b.name + "'", "holds NaN or infinite values");
      });
  weights->scale = out.config.scale();
  out.weights = std::move(weights);
  return out;
}

void PeftAdapter::write(const std::string& dir, const LoraConfig& config, const LoraWeights& weights,
                        at::ScalarType dtype) {
  fs::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> named;
  for (size_t l = 0; l < weights.layers.size(); ++l)
    for (LoraTarget t : kAllLoraTargets) {
      const LoraPair& p = weights.pair(static_cast<int64_t>(l), t);
      if (!p.defined()) continue;
      named.emplace_back(tensorName(static_cast<int64_t>(l), t, true), p.a);
      named.emplace_back(tensorName(static_cast<int64_t>(l), t, false), p.b);
    }
  HuggingFaceWriter::writeTensors((fs::path(dir) / "adapter_model.safetensors").string(), named, dtype);
  JsonFile::write(configPath(dir), config.toJson());
}

} // namespace poslab
