#pragma once
// Every knob of a distill run besides the optimizer's (TrainingSettings), in
// one plain struct: how the distill set is prepared (METHOD.md §2b), how it is
// trained, and the held-out evaluation during training. Saved in run.json; the
// presets `paper` and `demo` fill it (with TrainingSettings) and every value
// stays overridable.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct TrainingSettings;

struct DistillSettings {
  std::string method = "r1"; // r1 | r2 (two-hop data) | sft | seqkd

  // Preparation.
  int64_t questions = 300;              // questions drawn (seeded) from the training data
  int64_t k = 4;                        // student positions per question (distinct, not the teacher's);
                                        // two-hop data: (pre, post) pairs
  int64_t teacherPosition = 0;          // 0-based advantageous position (the first: the sink);
                                        // two-hop data: the hops at the last two positions, always
  bool anchors = true;                  // r1: one anchor instance per question
  std::string distractorOrder = "kept"; // kept | redrawn (per instance, as the released code)
  std::string decoding = "greedy";      // greedy (the paper) | sampled (the released code)
  double temperature = 0.7;             // sampled decoding
  double topP = 0.95;                   //
  int64_t maxNewTokens = 0;             // teacher response length bound; 0 = the task's (sweep) default

  // Training.
  std::string weighting = "paper"; // paper | code | uniform
  double lambda = 1.0;             // anchor weight
  std::string teacher = "cache";   // cache (distributions computed once) | live (a frozen copy)
  double epochs = 0;               // > 0: total steps = ceil(epochs × instances / batch)
  double warmupFraction = 0;       // > 0: warm-up steps = round(fraction × total steps)

  // Held-out evaluation during training (a sweep of the current weights).
  std::string evalData;                               // "" = none
  std::vector<size_t> evalPositions{0, 4, 9, 14, 19}; // 0-based (two-hop: the hop pair's place; 19 -> 18)
  int64_t evalExamples = 100;
  int64_t evalEvery = 0; // steps between evaluations; 0 = before training and at the end only

  void validate(const std::string& source) const;
  nlohmann::json toJson() const;
  static DistillSettings fromJson(const nlohmann::json& j, const std::string& source);

  // Presets (METHOD.md §2b): "paper" and "demo". Throws on another name.
  static void applyPreset(const std::string& name, DistillSettings& distill, TrainingSettings& training);
  bool klMethod() const { return method == "r1"; }
};

} // namespace poslab
