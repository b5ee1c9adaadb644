#pragma once
// A PEFT LoRA adapter's adapter_config.json, read with PEFT's meanings and
// defaults (peft.LoraConfig) and written so PeftModel.from_pretrained loads it.
// Which projections an adapter touches follows PEFT's check_target_module_exists:
// target_modules a list (a module matches when its path equals an entry or ends
// with "." + entry, then layers_to_transform filters by layer index), a string
// (a regular expression the whole path must match; layers_to_transform does not
// apply), "all-linear" (every projection), or null (PEFT's default for
// llama/mistral/qwen2: q_proj and v_proj); exclude_modules removes matches.
// Anything that would change the computation and is not supported here (DoRA,
// biases, modules_to_save, rank/alpha patterns, embedding or lm_head targets,
// other peft_types) is refused naming the file and the field.
#include "core/model/LoraTarget.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct LoraConfig {
  int64_t r = 8;
  double alpha = 8;
  bool rslora = false;
  double dropout = 0; // training only; an identity at inference (PEFT's eval mode)
  // target_modules: a list, or a regex when targetRegex is set.
  std::vector<std::string> targets;
  std::optional<std::string> targetRegex;
  std::vector<std::string> excludes;
  std::optional<std::string> excludeRegex;
  std::optional<std::vector<int64_t>> layersToTransform;
  std::string baseModel; // base_model_name_or_path, as written

  // s in W + s·B·A: alpha / r, or alpha / √r with rsLoRA.
  double scale() const;
  // PEFT's matching for the projection t of decoder layer `layer`.
  bool adapts(int64_t layer, LoraTarget t) const { return matches(loraModulePath(layer, t)); }
  bool matches(const std::string& modulePath) const;
  // Refuses targets that match modules other than the seven projections, or
  // nothing at all, or layers the base does not have. `source` names the file.
  void checkAgainst(int64_t numLayers, const std::string& source) const;

  // Throws poslab::Error naming `source` and the field.
  static LoraConfig fromJson(const nlohmann::json& j, const std::string& source);
  // The whole adapter_config.json PEFT writes (task_type CAUSAL_LM, inference_mode true).
  nlohmann::ordered_json toJson() const;
  // "q_proj,v_proj" style target names from the short list the CLI takes
  // ("q,k,v,o,gate,up,down" or "all"); throws naming `field`.
  static std::vector<std::string> targetsFromShortNames(const std::string& list, const std::string& field);
};

} // namespace poslab
