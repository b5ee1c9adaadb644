#pragma once
// A whole training run as `poslab-cli train` (and later the GUI) starts it:
// open or initialise the model, load the dataset, render the prompts into
// training sequences, write <run>/run.json, train (Trainer), and leave the
// final model in <run>/model/ as a Hugging Face folder with its tokenizer.
// resume() continues the run a run.json describes, with the same sources and
// settings. Files a run leaves: DESIGN.md, "Files a run leaves".
#include "core/train/Trainer.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct TrainingJobSpec {
  std::string model;     // Hugging Face folder or .gguf to fine-tune ("" with init)
  std::string init;      // config.json of a model trained from scratch (random init, seed = settings.seed)
  std::string tokenizer; // tokenizer folder for init (tokenizer.json / tokenizer.model + configs)
  std::string data;      // any dataset DatasetLoader reads
  size_t limit = 0;      // first N examples only; 0 = all
  size_t docs = 0;       // documents (or KV pairs) per prompt; 0 = all the example has
  std::vector<double> positionWeights; // gold position distribution; empty = uniform
  TrainingSettings settings;
};

struct TrainingJobRuntime {
  std::string device = "cpu"; // "cpu" | "cuda" | "cuda:N"
  int threads = 0;            // intra-op threads; 0 = every core
  std::string software;       // "poslab-cli 0.1.0", recorded in run.json
  std::function<void(const TrainingProgress&)> progress;
  std::function<void(const std::string&)> log; // one-line notes (what was loaded, sizes)
  const std::atomic<bool>* cancel = nullptr;
};

class TrainingJob {
public:
  // A new run in runDir (created; refused if it already holds a run.json).
  static TrainingOutcome start(const TrainingJobSpec& spec, const std::string& runDir,
                               const TrainingJobRuntime& rt);
  // Continues the run in runDir from its latest checkpoint. totalSteps: a new
  // total (the schedule then follows it); nullopt keeps run.json's.
  static TrainingOutcome resume(const std::string& runDir, std::optional<int64_t> totalSteps,
                                const TrainingJobRuntime& rt);

  static nlohmann::json specToJson(const TrainingJobSpec& spec);
  static TrainingJobSpec specFromJson(const nlohmann::json& runJson, const std::string& source);
};

} // namespace poslab
