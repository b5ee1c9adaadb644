#pragma once
// A whole Pos2Distill run as `poslab-cli distill` (and the GUI, through that
// command) starts it, in a run folder it owns (run.lock): open the model,
// prepare the distill set (or take a given one), build the objective (R1's KL
// against the frozen original model, or cross-entropy for SFT/SeqKD), evaluate
// the base on held-out data (eval/step-0), train with checkpoints and periodic
// evaluation (eval/step-N), and publish the final model in <run>/model.
// Every phase is resumable: `resume()` continues preparation or training from
// what the folder holds. Data parallel, the ranks share the preparation and
// the evaluations, and rank 0 alone writes the run's files from their shares
// (docs/DISTRIBUTED.md). Files: DESIGN.md "Training runs, jobs and processes".
#include "core/distill/DistillSetBuilder.h"
#include "core/distill/DistillSettings.h"
#include "core/train/MemoryPlan.h"
#include "core/train/TrainingJob.h"

#include <optional>
#include <string>

namespace poslab {

struct DistillJobSpec {
  std::string model;       // Hugging Face folder
  std::string adapter;     // a PEFT LoRA adapter merged into the model first ("" = none): the model to fix
  std::string data;        // training data to prepare from ("" with set)
  std::string set;         // a prepared or hand-made distill set ("" with data)
  TrainingJobSpec prompts; // the prompt side (docs, templates, distractors, limit); its model/data unused
  DistillSettings distill;
  TrainingSettings settings;
  bool stepsGiven = false; // settings.totalSteps was set by the user (wins over distill.epochs)
  bool prepareOnly = false;
  bool planOnly = false; // print the memory plan after preparation, do not train
};

struct DistillOutcome {
  std::string status; // "prepared" | "planned" | "finished" | "cancelled"
  TrainingOutcome training;
  PreparationReport preparation;
  MemoryPlan plan;
  std::string model; // <run>/model when finished
};

class DistillJob {
public:
  static DistillOutcome start(const DistillJobSpec& spec, const std::string& runDir,
                              const TrainingJobRuntime& rt);
  // Continues the run in runDir. totalSteps: a new total (extends the run); nullopt keeps run.json's.
  static DistillOutcome resume(const std::string& runDir, std::optional<int64_t> totalSteps,
                               const TrainingJobRuntime& rt);
};

} // namespace poslab
