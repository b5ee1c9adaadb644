#pragma once
// A whole training run as `poslab-cli train` (and later the GUI) starts it:
// open or initialise the model, load the dataset, render the prompts into
// training sequences, write <run>/run.json, train (Trainer), and leave the
// final model in <run>/model/ as a Hugging Face folder with its tokenizer.
// resume() continues the run a run.json describes, with the same sources and
// settings. Files a run leaves: DESIGN.md, "Files a run leaves".
#include "core/sweep/SweepSettings.h"
#include "core/train/Trainer.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct TrainingJobSpec {
  std::string model;     // Hugging Face folder or .gguf to fine-tune ("" with init)
  std::string adapter;   // a PEFT LoRA adapter merged into the model first ("" = none)
  std::string init;      // config.json of a model trained from scratch (random init, seed = settings.seed)
  std::string tokenizer; // tokenizer folder for init (tokenizer.json / tokenizer.model + configs)
  std::string data;      // any dataset DatasetLoader reads
  size_t limit = 0;      // first N examples only; 0 = all
  size_t docs = 0;       // documents (or KV pairs) per prompt; 0 = the model's task default, else all
  // The prompt side, with a sweep's meanings (ExperimentPrompts): the model's
  // poslab_task.json fills what is left open, so training sees the prompts sweeps measure.
  std::string promptTemplate;          // "" = task default; a built-in name or a file
  std::string chatTemplate = "auto";   // auto | none | a family name
  std::string system;                  //
  size_t randomDistractors = 0;        // oracle files: K documents with K-1 random distractors
  uint64_t distractorSeed = 0;         //
  std::optional<uint64_t> shuffleSeed; // shuffle the kept distractors
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
  // Data parallel: the job this process is a rank of (null: one process). Rank
  // 0 alone writes the run folder (run.json, events, checkpoints, run.lock).
  std::shared_ptr<ProcessGroup> group;
  bool leader() const { return !group || group->leader(); }
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
  // MODEL and --adapter of a training command: an adapter folder as MODEL
  // becomes its base plus the adapter (merged before training); refused with --lora.
  static void resolveAdapter(std::string& model, std::string& adapter, const TrainingSettings& settings);
  // The sweep settings whose prompts this spec trains on (before the model's task defaults).
  static SweepSettings promptSource(const TrainingJobSpec& spec);
  // Files that make a weights folder a usable model (tokenizer, task, prompt
  // template), found in `dir`; copied into checkpoints and <run>/model.
  static std::vector<std::string> companionFiles(const std::string& dir);
  // <run>/model: the model files of a checkpoint (weights, config, tokenizer, task), replaced as a whole.
  static std::string publishModel(const std::string& runDir, const std::string& checkpoint);
  // `--publish DIR`: <run>/model with the run's run.json and events.jsonl beside
  // it, written to a new (or empty) folder as a whole: a model to share or
  // commit that carries how it was made. Throws naming --publish otherwise.
  static void publishRun(const std::string& runDir, const std::string& dest);
  // The check publishRun makes of `dest`, to run before hours of training.
  static void checkPublishTarget(const std::string& dest);
  static TrainingJobSpec specFromJson(const nlohmann::json& runJson, const std::string& source);
};

} // namespace poslab
