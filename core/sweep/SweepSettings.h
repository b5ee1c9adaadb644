#pragma once
// Every option of a position sweep (DESIGN.md "Command line"). Plain types: the
// GUI fills the same struct. All of it is written to summary.json and run.json,
// and a resumed sweep must have the same settings as the one it continues.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct SweepSettings {
  std::string modelPath;
  std::string adapterPath;   // a PEFT LoRA adapter on top of the model; "" = none
  bool mergeAdapter = false; // merged into the weights instead of applied unmerged
  std::string dataPath;
  std::string dataFormat = "auto"; // auto | litm-qa | litm-kv | poslab
  std::string task = "auto";       // auto (from the data) | qa | kv

  size_t docs = 0; // K documents (or KV pairs) per prompt, gold included; 0 = the task default, else all
  std::vector<size_t> positions;       // 0-based gold positions; empty = all
  std::optional<uint64_t> shuffleSeed; // shuffle the kept distractors (same order at every position)
  size_t randomDistractors = 0;        // oracle files: give each question K-1 other questions' gold passages
  uint64_t distractorSeed = 0;         //
  std::string promptTemplate;          // "" = the task's default; a built-in name or a file
  std::string chatTemplate = "auto";   // auto (task default, else detected) | none | a family name
  std::string system;                  // system message for chat templates
  int64_t maxNewTokens = 0;            // 0 = the model's task default, else 100 (METHOD.md §1)
  size_t limit = 0;                    // first N examples; 0 = all
  bool skipBad = false;                // skip malformed records (counted) instead of failing
  bool closedBook = false;             // baselines (QA only)
  bool oracle = false;                 //
  bool prefixCache = true;             // reuse verified shared-prefix KV states
  size_t batch = 4;                    // prompts scored and decoded together (PromptEvaluator); not
                                       // record-affecting: a sweep may resume with another batch

  std::string dtype = "f32";
  std::string device = "cpu";
  int threads = 0;

  nlohmann::json toJson() const;
  // The settings that change records: a resumed sweep must agree on all of them.
  nlohmann::json recordAffecting() const;
};

} // namespace poslab
