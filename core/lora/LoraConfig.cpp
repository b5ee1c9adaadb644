#include "core/lora/LoraConfig.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

namespace poslab {

namespace {

// adapter_config.json fields that do not change the adapted model's forward
// (metadata, initialisation recipes, training-only knobs). Any other field
// this reader does not interpret must hold its "off" value (null, false, an
// empty list or object), or the file is refused: nothing is silently ignored.
const std::set<std::string> kHarmless = {"auto_mapping",
                                         "base_model_name_or_path",
                                         "revision",
                                         "task_type",
                                         "inference_mode",
                                         "init_lora_weights",
                                         "lora_dropout",
                                         "loftq_config",
                                         "eva_config",
                                         "corda_config",
                                         "megatron_core",
                                         "peft_version",
                                         "layers_pattern",
                                         "runtime_config",
                                         "exclude_modules",
                                         "target_modules",
                                         "layers_to_transform",
                                         "r",
                                         "lora_alpha",
                                         "use_rslora",
                                         "peft_type",
                                         "bias",
                                         "fan_in_fan_out",
                                         "use_dora",
                                         "modules_to_save",
                                         "rank_pattern",
                                         "alpha_pattern",
                                         "lora_bias",
                                         "layer_replication",
                                         "target_parameters",
                                         "trainable_token_indices",
                                         "use_qalora",
                                         "qalora_group_size",
                                         "megatron_config",
                                         "ensure_weight_tying",
                                         "alora_invocation_tokens"};

bool isOff(const nlohmann::json& v) {
  return v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_array() && v.empty()) ||
         (v.is_object() && v.empty()) || (v.is_string() && v.get<std::string>().empty());
}

// Every module of transformers' LlamaForCausalLM (Mistral and Qwen2 have the
// same tree) that is not one of the seven projections, for a layer count:
// a target matching any of them would need an adapter kind this reader lacks.
std::vector<std::string> otherModules(int64_t numLayers) {
  std::vector<std::string> out{
      "", "model", "model.embed_tokens", "model.layers", "model.norm", "model.rotary_emb", "lm_head"};
  for (int64_t l = 0; l < numLayers; ++l) {
    const std::string p = "model.layers." + std::to_string(l);
    for (const char* m :
         {"", ".self_attn", ".mlp", ".mlp.act_fn", ".input_layernorm", ".post_attention_layernorm"})
      out.push_back(p + m);
  }
  return out;
}

bool regexMatches(const std::string& pattern, const std::string& key) {
  return std::regex_match(key, std::regex(pattern, std::regex::ECMAScript));
}

bool endsWithComponent(const std::string& key, const std::string& name) {
  const std::string tail = "." + name;
  return key.size() >= tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0;
}

// PEFT reads target_modules / exclude_modules as a list or a regex string.
void readModules(const nlohmann::json& v, const char* field, const std::string& source,
                 std::vector<std::string>& list, std::optional<std::string>& regex) {
  if (v.is_null()) return;
  if (v.is_string()) {
    regex = v.get<std::string>();
    try {
      std::regex check(*regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      fail(source, field,
           "'" + *regex + "' is not a regular expression this reader understands (" + e.what() + ")");
    }
    return;
  }
  if (!v.is_array())
    fail(source, field, std::string("must be a list of names or a regex string, not ") + v.type_name());
  for (const auto& item : v) {
    if (!item.is_string()) fail(source, field, "every entry must be a string");
    list.push_back(item.get<std::string>());
  }
}

} // namespace

double LoraConfig::scale() const {
  return rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / static_cast<double>(r);
}

bool LoraConfig::matches(const std::string& key) const {
  if (excludeRegex ? regexMatches(*excludeRegex, key)
                   : std::any_of(excludes.begin(), excludes.end(),
                                 [&](const std::string& e) { return key == e || endsWithComponent(key, e); }))
    return false;
  if (targetRegex) return regexMatches(*targetRegex, key);
  if (std::find(targets.begin(), targets.end(), key) != targets.end()) return true;
  const bool found = std::any_of(targets.begin(), targets.end(),
                                 [&](const std::string& t) { return endsWithComponent(key, t); });
  if (!found || !layersToTransform) return found;
  // PEFT's default layer pattern: the first number between dots after a name
  // (".*\.[^.]*\.(\d+)\."); modules outside the layers have none and drop out.
  static const std::regex layerIndex(R"(.*\.[^.]*\.(\d+)\..*)");
  std::smatch m;
  if (!std::regex_match(key, m, layerIndex)) return false;
  const int64_t index = std::stoll(m[1].str());
  return std::find(layersToTransform->begin(), layersToTransform->end(), index) != layersToTransform->end();
}

void LoraConfig::checkAgainst(int64_t numLayers, const std::string& source) const {
  const char* field = "target_modules";
  for (const std::string& m : otherModules(numLayers))
    if (matches(m))
      fail(
          source, field,
          "matches '" + (m.empty() ? std::string("(the whole model)") : m) +
              "', which is not one of the projections q/k/v/o/gate/up/down_proj (only those take LoRA here)");
  if (layersToTransform)
    for (int64_t l : *layersToTransform)
      if (l < 0 || l >= numLayers)
        fail(source, "layers_to_transform",
             "names layer " + std::to_string(l) + " but the base has " + std::to_string(numLayers) +
                 " layers");
  bool any = false;
  for (int64_t l = 0; l < numLayers && !any; ++l)
    for (LoraTarget t : kAllLoraTargets)
      any = any || adapts(l, t);
  if (!any) fail(source, field, "matches no projection of the base model");
}

LoraConfig LoraConfig::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "", "must be a JSON object");
  for (const auto& [key, value] : j.items())
    if (!kHarmless.count(key) && !isOff(value))
      fail(source, key, "is not supported by this reader (its value would change the adapter's computation)");
  auto str = [&](const char* key, const std::string& fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_string()) fail(source, key, std::string("must be a string, not ") + it->type_name());
    return it->get<std::string>();
  };
  auto flag = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return false;
    if (!it->is_boolean()) fail(source, key, std::string("must be true or false, not ") + it->type_name());
    return it->get<bool>();
  };
  auto number = [&](const char* key, double fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number()) fail(source, key, std::string("must be a number, not ") + it->type_name());
    return it->get<double>();
  };

  if (!j.contains("peft_type")) fail(source, "peft_type", "missing (a PEFT adapter config names its type)");
  const std::string type = str("peft_type", "");
  if (type != "LORA") fail(source, "peft_type", "'" + type + "' is not supported (only LORA adapters are)");
  const std::string task = str("task_type", "CAUSAL_LM");
  if (task != "CAUSAL_LM")
    fail(source, "task_type",
         "'" + task + "' is not supported (CAUSAL_LM adapters only: other tasks add heads)");
  if (flag("use_dora")) fail(source, "use_dora", "DoRA adapters are not supported (plain LoRA only)");
  if (const std::string bias = str("bias", "none"); bias != "none")
    fail(source, "bias", "'" + bias + "' is not supported (only \"none\": biases are not trained)");
  if (flag("fan_in_fan_out"))
    fail(source, "fan_in_fan_out", "true is for GPT-2 Conv1D layers; Llama's are Linear");
  if (auto it = j.find("modules_to_save"); it != j.end() && !isOff(*it))
    fail(source, "modules_to_save", "is not supported (whole-module copies are not read)");
  for (const char* pattern : {"rank_pattern", "alpha_pattern"})
    if (auto it = j.find(pattern); it != j.end() && !isOff(*it))
      fail(source, pattern, "per-module ranks or alphas are not supported");
  if (auto it = j.find("layers_pattern"); it != j.end() && !isOff(*it)) {
    const bool layers = (it->is_string() && it->get<std::string>() == "layers") ||
                        (it->is_array() && it->size() == 1 && (*it)[0] == "layers");
    if (!layers) fail(source, "layers_pattern", "only \"layers\" (the Llama family's) is supported");
  }

  LoraConfig c;
  auto rIt = j.find("r");
  if (rIt != j.end() && !rIt->is_null()) {
    if (!rIt->is_number_integer() || rIt->get<int64_t>() < 1 || rIt->get<int64_t>() > 65536)
      fail(source, "r", "must be an integer rank from 1 to 65536");
    c.r = rIt->get<int64_t>();
  }
  c.alpha = number("lora_alpha", 8);
  if (!std::isfinite(c.alpha)) fail(source, "lora_alpha", "must be finite");
  c.rslora = flag("use_rslora");
  c.dropout = number("lora_dropout", 0);
  c.baseModel = str("base_model_name_or_path", "");

  auto target = j.find("target_modules");
  if (target == j.end() || target->is_null()) {
    c.targets = {"q_proj", "v_proj"}; // PEFT's mapping for llama, mistral and qwen2
  } else if (target->is_string() && target->get<std::string>() == "all-linear") {
    for (LoraTarget t : kAllLoraTargets)
      c.targets.push_back(loraModuleName(t));
  } else {
    readModules(*target, "target_modules", source, c.targets, c.targetRegex);
  }
  if (auto ex = j.find("exclude_modules"); ex != j.end())
    readModules(*ex, "exclude_modules", source, c.excludes, c.excludeRegex);
  if (auto layers = j.find("layers_to_transform"); layers != j.end() && !layers->is_null()) {
    std::vector<int64_t> list;
    if (layers->is_number_integer())
      list.push_back(layers->get<int64_t>());
    else if (layers->is_array() &&
             std::all_of(layers->begin(), layers->end(), [](const auto& v) { return v.is_number_integer(); }))
      list = layers->get<std::vector<int64_t>>();
    else
      fail(source, "layers_to_transform", "must be a layer index or a list of them");
    // PEFT treats an empty list as "every layer".
    if (!list.empty()) c.layersToTransform = list;
  }
  return c;
}

nlohmann::ordered_json LoraConfig::toJson() const {
  nlohmann::ordered_json j;
  j["peft_type"] = "LORA";
  j["task_type"] = "CAUSAL_LM";
  j["base_model_name_or_path"] = baseModel;
  j["r"] = r;
  j["lora_alpha"] = alpha;
  j["use_rslora"] = rslora;
  j["lora_dropout"] = dropout;
  if (targetRegex)
    j["target_modules"] = *targetRegex;
  else
    j["target_modules"] = targets;
  if (excludeRegex)
    j["exclude_modules"] = *excludeRegex;
  else if (!excludes.empty())
    j["exclude_modules"] = excludes;
  else
    j["exclude_modules"] = nullptr;
  j["layers_to_transform"] = layersToTransform ? nlohmann::ordered_json(*layersToTransform) : nullptr;
  j["layers_pattern"] = nullptr;
  j["bias"] = "none";
  j["fan_in_fan_out"] = false;
  j["modules_to_save"] = nullptr;
  j["init_lora_weights"] = true;
  j["use_dora"] = false;
  j["rank_pattern"] = nlohmann::ordered_json::object();
  j["alpha_pattern"] = nlohmann::ordered_json::object();
  j["inference_mode"] = true;
  j["revision"] = nullptr;
  return j;
}

std::vector<std::string> LoraConfig::targetsFromShortNames(const std::string& list,
                                                           const std::string& field) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name == "all") {
      for (LoraTarget t : kAllLoraTargets)
        out.push_back(loraModuleName(t));
      continue;
    }
    const std::string module = name + "_proj";
    const bool known = std::any_of(kAllLoraTargets.begin(), kAllLoraTargets.end(),
                                   [&](LoraTarget t) { return module == loraModuleName(t); });
    if (!known) fail("", field, "'" + name + "' is not one of q, k, v, o, gate, up, down, all");
    if (std::find(out.begin(), out.end(), module) == out.end()) out.push_back(module);
  }
  return out;
}

} // namespace poslab
