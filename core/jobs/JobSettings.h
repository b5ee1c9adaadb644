#pragma once
// A distill job as the GUI's launch dialog describes it, and the exact
// `poslab-cli distill` command that runs it. Only what the user set travels:
// a preset plus the options changed from it, so the command shown is short and
// a new demo job with nothing changed is `distill --preset demo ...` alone.
// Saved as JSON (a job's settings file) and loaded back with errors naming the
// file and the field.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct JobSettings {
  std::string preset; // "" | demo | quick | paper (DistillSettings::applyPreset)
  std::string method = "r1";
  std::string model;    // Hugging Face folder
  std::string adapter;  // PEFT adapter merged first ("" = none)
  std::string data;     // training data
  std::string evalData; // held-out data ("" = no evaluation during training)
  std::string device = "cpu";
  int threads = 0; // 0 = every core
  // Options changed from the preset, by flag name without dashes ("lr" -> "0.001");
  // a flag without a value ("checkpoint-activations") has the value "true".
  std::map<std::string, std::string> options;

  // The arguments after the program: distill --preset ... --out runDir.
  std::vector<std::string> arguments(const std::string& runDir) const;
  // `--resume` (with `--steps total` to extend; 0 keeps the run's total).
  static std::vector<std::string> resumeArguments(const std::string& runDir, const std::string& device,
                                                  int threads, long long totalSteps = 0);
  // argv as one line a POSIX shell runs unchanged (quoted where needed).
  static std::string shellCommand(const std::vector<std::string>& argv);

  nlohmann::json toJson() const;
  // `source` names the file in errors; unknown options and wrong types are refused.
  static JobSettings fromJson(const nlohmann::json& j, const std::string& source);
  static JobSettings read(const std::string& path);
  void write(const std::string& path) const;

  // The options the dialog may set (flag names), in the order commands list them.
  static const std::vector<std::string>& optionNames();
  // Flags that take no value.
  static bool isSwitch(const std::string& option);
};

} // namespace poslab
