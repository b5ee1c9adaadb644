#pragma once
// The training loop (nanoGPT's train.py, in C++): per optimizer step, a batch
// of batchSize instances cut into micro-batches of at most microBatch, the
// objective's loss (TrainingObjective: cross-entropy, Pos2Distill's KL, ...),
// backward, global-norm clipping, warm-up + cosine learning rate, AdamW. bf16
// runs compute in bf16 and keep fp32 master weights and optimizer state. A
// non-finite loss or gradient stops the run before the optimizer step, so the
// last checkpoint stays the last good one.
// Blocking and synchronous (STYLE.md rule 6): progress comes as a callback,
// cancel is an atomic flag checked between steps (a checkpoint is then written),
// and resume() continues a run from <run>/checkpoints/latest such that the loss
// curve equals the uninterrupted run's.
// Data parallel (a ProcessGroup of N ranks): every rank draws the same global
// batch and trains its contiguous share of it; the rows' loss values (which
// R1's position weights need over the whole batch) and token counts are summed
// across ranks before the backward, the fp32 gradients after it, so every rank
// takes the same optimizer step and N processes follow one process's losses.
// Rank 0 alone writes events and checkpoints; the others wait at a barrier.
#include "core/dist/ProcessGroup.h"
#include "core/lora/LoraConfig.h"
#include "core/model/LlamaModel.h"
#include "core/train/AdamW.h"
#include "core/train/CheckpointStore.h"
#include "core/train/LrSchedule.h"
#include "core/train/ParameterNames.h"
#include "core/train/SequenceSampler.h"
#include "core/train/TrainingObjective.h"
#include "core/train/TrainingSequence.h"
#include "core/train/TrainingSettings.h"
#include "core/util/EventLog.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace poslab {

struct TrainingProgress {
  int64_t step = 0; // optimizer steps done
  int64_t totalSteps = 0;
  double loss = 0;     // the objective's loss of the step (nats)
  double lr = 0;       // learning rate the step used
  double gradNorm = 0; // global gradient norm before clipping
  double tokensPerSecond = 0;
  double elapsedSeconds = 0; // training wall time, all sessions of the run
  double etaSeconds = 0;     // remaining steps at this session's pace
};

struct TrainingOutcome {
  int64_t step = 0;
  bool cancelled = false;
  std::vector<double> losses; // every step of the run, resumed ones included
  std::string checkpoint;     // the folder of the last checkpoint written
};

class Trainer {
public:
  // Takes over `model`'s weights: they become trainable leaves (requires_grad)
  // in the settings' dtype on the model's device; evaluate the model under
  // at::NoGradGuard afterwards. runDir receives events.jsonl and checkpoints/.
  // trainable: the tensors the optimizer updates (empty = every weight: full
  // fine-tuning); the rest stay frozen. With settings.loraRank > 0 the Trainer
  // attaches a fresh adapter (PEFT's initialisation, seeded by settings.seed)
  // to the model and trains it alone; trainable must then be empty.
  // group: the data-parallel job this process is a rank of (null: one process).
  Trainer(LlamaModel& model, std::shared_ptr<const TrainingObjective> objective, TrainingSettings settings,
          std::string runDir, std::vector<NamedTensor> trainable = {},
          std::shared_ptr<ProcessGroup> group = nullptr);
  // Next-token cross-entropy on the sequences (settings.lossOn picks the targets).
  Trainer(LlamaModel& model, std::vector<TrainingSequence> sequences, TrainingSettings settings,
          std::string runDir, std::shared_ptr<ProcessGroup> group = nullptr);

  void setProgressCallback(std::function<void(const TrainingProgress&)> callback) {
    progress_ = std::move(callback);
  }
  void setCancelFlag(const std::atomic<bool>* cancel) { cancel_ = cancel; }
  // Called after every optimizer step (after its event and before a checkpoint
  // it may write), e.g. for held-out evaluation; may append events of its own.
  void setAfterStep(std::function<void(int64_t step)> hook) { afterStep_ = std::move(hook); }
  // The base model a LoRA run's checkpoints name (base_model_name_or_path).
  void setAdapterBase(std::string base) { lora_.baseModel = std::move(base); }
  // The adapter a LoRA run trains (settings.loraRank > 0), else nullptr.
  const std::shared_ptr<LoraWeights>& adapter() const { return adapter_; }
  // false: run() writes no checkpoint at its end (benchmarks); periodic ones still happen.
  void setFinalCheckpoint(bool on) { finalCheckpoint_ = on; }
  // Files copied into each checkpoint (tokenizer files), see CheckpointStore.
  void setCompanionFiles(std::vector<std::string> paths) { store_.setCompanionFiles(std::move(paths)); }

  // Restores weights, optimizer, data position and losses from
  // <run>/checkpoints/latest -- or, when that checkpoint fails its manifest,
  // from the newest earlier one that passes (each damaged one an event and a
  // line of damagedCheckpoints()); false when the run has no checkpoint yet.
  bool resume();
  const std::vector<std::string>& damagedCheckpoints() const { return damaged_; }
  // Trains until totalSteps or cancel; always ends with a checkpoint.
  TrainingOutcome run();

  int64_t step() const { return step_; }
  const std::vector<double>& losses() const { return losses_; }
  const TrainingSettings& settings() const { return settings_; }
  const std::string& lastCheckpoint() const { return lastCheckpoint_; }

private:
  struct StepResult {
    double loss = 0, gradNorm = 0;
    int64_t tokens = 0, targets = 0;
    nlohmann::json metrics; // the objective's
  };
  void prepareWeights(std::vector<NamedTensor> trainable);
  StepResult trainStep(double lr);
  std::string saveCheckpoint();
  TrainerState state() const;
  double elapsedSeconds() const; // training wall time of the whole run so far

  LlamaModel& model_;
  std::shared_ptr<const TrainingObjective> objective_;
  TrainingSettings settings_;
  std::string runDir_;
  std::shared_ptr<ProcessGroup> group_; // null: a single process
  at::ScalarType computeDtype_;
  std::vector<std::pair<std::string, at::Tensor*>> modelParams_; // the trained leaves, ParameterNames order
  std::unique_ptr<AdamW> optimizer_; // over fp32 masters (the leaves themselves in f32)
  SequenceSampler sampler_;
  LrSchedule schedule_;
  CheckpointStore store_;
  EventLog events_;
  std::function<void(const TrainingProgress&)> progress_;
  const std::atomic<bool>* cancel_ = nullptr;
  std::function<void(int64_t)> afterStep_;

  int64_t step_ = 0;
  std::vector<double> losses_;
  int64_t tokens_ = 0, targets_ = 0;
  double elapsedBefore_ = 0; // seconds of earlier sessions and earlier run() calls
  std::chrono::steady_clock::time_point sessionStart_{};
  bool running_ = false; // inside run(): time since sessionStart_ counts too
  std::string lastCheckpoint_;
  std::vector<std::string> damaged_; // checkpoints resume() passed over, with their errors
  bool finalCheckpoint_ = true;
  bool leader() const { return !group_ || group_->leader(); }
  LoraConfig lora_;                      // a LoRA run's adapter config
  std::shared_ptr<LoraWeights> adapter_; // a LoRA run's adapter (on model_), else null
};

} // namespace poslab
