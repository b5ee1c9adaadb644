#pragma once
// A PEFT LoRA adapter folder: adapter_config.json (LoraConfig) and
// adapter_model.safetensors with the keys
//   base_model.model.<module path>.lora_A.weight   [r, in]
//   base_model.model.<module path>.lora_B.weight   [out, r]
// for every projection the config targets (PEFT's save_pretrained layout:
// the adapter name "default" is not in the keys). Read against a loaded base
// model, whose shapes every tensor must fit; written by training runs and by
// `poslab-cli export --format peft`.
#include "core/lora/LoraConfig.h"
#include "core/model/LlamaModel.h"

#include <array>
#include <memory>
#include <string>

namespace poslab {

struct LoadedAdapter {
  LoraConfig config;
  std::shared_ptr<LoraWeights> weights;
};

class PeftAdapter {
public:
  // True when `path` is a folder with an adapter_config.json.
  static bool isAdapterFolder(const std::string& path);
  // The config alone (cheap): for resolving an adapter given as MODEL.
  static LoraConfig readConfig(const std::string& dir);
  // The base model an adapter folder names (base_model_name_or_path), as a
  // path that exists: as written, else relative to the adapter folder.
  // Throws naming the field when neither exists.
  static std::string resolveBase(const std::string& dir);
  // Reads and checks the whole folder against `base`; the tensors in fp32 on
  // the base's device (PEFT's default: adapters compute in fp32). Throws
  // poslab::Error naming the file and the field or tensor at fault.
  static LoadedAdapter load(const std::string& dir, const LlamaModel& base);
  // The same against a base's config alone (no base weights read), tensors on `device`.
  static LoadedAdapter load(const std::string& dir, const ModelConfig& base, const at::Device& device);
  // The same checks against a config, reading tensor headers only (for `info`).
  static LoraConfig check(const std::string& dir, const ModelConfig& base);
  // Writes adapter_config.json and adapter_model.safetensors (atomically,
  // each) with the tensors in `dtype`.
  static void write(const std::string& dir, const LoraConfig& config, const LoraWeights& weights,
                    at::ScalarType dtype = at::kFloat);
  // [out, in] of projection t in a model with this config.
  static std::array<int64_t, 2> projectionShape(const ModelConfig& base, LoraTarget t);
  // "base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight" (a = true) or lora_B.
  static std::string tensorName(int64_t layer, LoraTarget t, bool a);
};

} // namespace poslab
