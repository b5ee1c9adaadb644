#include "core/jobs/JobSettings.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace poslab {

namespace {

const std::vector<std::string> kSwitches{"checkpoint-activations", "no-anchors", "rslora"};

} // namespace

const std::vector<std::string>& JobSettings::optionNames() {
  static const std::vector<std::string> names{"questions",
                                              "k",
                                              "teacher-position",
                                              "no-anchors",
                                              "weighting",
                                              "lambda",
                                              "teacher",
                                              "decoding",
                                              "lora",
                                              "lora-alpha",
                                              "lora-targets",
                                              "rslora",
                                              "lr",
                                              "batch",
                                              "micro-batch",
                                              "epochs",
                                              "steps",
                                              "warmup",
                                              "dtype",
                                              "seed",
                                              "checkpoint-activations",
                                              "eval-positions",
                                              "eval-every",
                                              "eval-examples",
                                              "checkpoint-every",
                                              "keep-checkpoints",
                                              "docs",
                                              "limit"};
  return names;
}

bool JobSettings::isSwitch(const std::string& option) {
  return std::find(kSwitches.begin(), kSwitches.end(), option) != kSwitches.end();
}

std::vector<std::string> JobSettings::arguments(const std::string& runDir) const {
  std::vector<std::string> a{"distill"};
  if (!preset.empty()) a.insert(a.end(), {"--preset", preset});
  a.insert(a.end(), {"--method", method, "--model", model});
  if (!adapter.empty()) a.insert(a.end(), {"--adapter", adapter});
  a.insert(a.end(), {"--data", data});
  if (!evalData.empty()) a.insert(a.end(), {"--eval-data", evalData});
  for (const std::string& name : optionNames()) {
    auto it = options.find(name);
    if (it == options.end()) continue;
    if (isSwitch(name)) {
      if (it->second == "true") a.push_back("--" + name);
    } else {
      a.insert(a.end(), {"--" + name, it->second});
    }
  }
  a.insert(a.end(), {"--device", device, "--threads", std::to_string(threads), "--out", runDir});
  return a;
}

std::vector<std::string> JobSettings::resumeArguments(const std::string& runDir, const std::string& device,
                                                      int threads, long long totalSteps) {
  std::vector<std::string> a{"distill", "--out", runDir, "--resume"};
  if (totalSteps > 0) a.insert(a.end(), {"--steps", std::to_string(totalSteps)});
  a.insert(a.end(), {"--device", device, "--threads", std::to_string(threads)});
  return a;
}

std::string JobSettings::shellCommand(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             std::string_view("-_./,:=+@%").find(c) != std::string_view::npos;
    });
    if (plain) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg)
      line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

nlohmann::json JobSettings::toJson() const {
  return {{"preset", preset},   {"method", method},   {"model", model},
          {"adapter", adapter}, {"data", data},       {"eval_data", evalData},
          {"device", device},   {"threads", threads}, {"options", options}};
}

JobSettings JobSettings::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "", "is not a JSON object");
  JobSettings s;
  JsonFile::readField(j, "preset", s.preset, source);
  JsonFile::readField(j, "method", s.method, source);
  JsonFile::readField(j, "model", s.model, source);
  JsonFile::readField(j, "adapter", s.adapter, source);
  JsonFile::readField(j, "data", s.data, source);
  JsonFile::readField(j, "eval_data", s.evalData, source);
  JsonFile::readField(j, "device", s.device, source);
  JsonFile::readField(j, "threads", s.threads, source);
  if (s.threads < 0 || s.threads > 4096) fail(source, "threads", "must be 0 (every core) to 4096");
  const std::vector<std::string> presets{"", "demo", "quick", "paper"};
  if (std::find(presets.begin(), presets.end(), s.preset) == presets.end())
    fail(source, "preset", "'" + s.preset + "' is not demo, quick or paper");
  if (auto it = j.find("options"); it != j.end()) {
    if (!it->is_object()) fail(source, "options", "is not an object");
    for (const auto& [name, value] : it->items()) {
      const auto& known = optionNames();
      if (std::find(known.begin(), known.end(), name) == known.end())
        fail(source, "options." + name, "is not an option of poslab-cli distill the launcher sets");
      if (!value.is_string()) fail(source, "options." + name, "must be a string");
      s.options[name] = value.get<std::string>();
    }
  }
  return s;
}

JobSettings JobSettings::read(const std::string& path) {
  return fromJson(JsonFile::readObject(path), path);
}

void JobSettings::write(const std::string& path) const {
  JsonFile::write(path, toJson());
}

} // namespace poslab
