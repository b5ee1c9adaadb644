#pragma once
// The training loop (nanoGPT's train.py, in C++): per optimizer step,
// gradAccumulation micro-batches of batchSize sequences, next-token
// cross-entropy averaged over every target token of the step, backward,
// global-norm clipping, warm-up + cosine learning rate, AdamW. bf16 runs
// compute in bf16 and keep fp32 master weights and optimizer state.
// Blocking and synchronous (STYLE.md rule 6): progress comes as a callback,
// cancel is an atomic flag checked between steps (a checkpoint is then written),
// and resume() continues a run from <run>/checkpoints/latest such that the loss
// curve equals the uninterrupted run's.
#include "core/model/LlamaModel.h"
#include "core/train/AdamW.h"
#include "core/train/CheckpointStore.h"
#include "core/util/EventLog.h"
#include "core/train/LrSchedule.h"
#include "core/train/SequenceSampler.h"
#include "core/train/TrainingSequence.h"
#include "core/train/TrainingSettings.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace poslab {

struct TrainingProgress {
  int64_t step = 0; // optimizer steps done
  int64_t totalSteps = 0;
  double loss = 0;     // mean cross-entropy over the step's target tokens (nats)
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
  Trainer(LlamaModel& model, std::vector<TrainingSequence> sequences, TrainingSettings settings,
          std::string runDir);

  void setProgressCallback(std::function<void(const TrainingProgress&)> callback) {
    progress_ = std::move(callback);
  }
  void setCancelFlag(const std::atomic<bool>* cancel) { cancel_ = cancel; }
  // Files copied into each checkpoint (tokenizer files), see CheckpointStore.
  void setCompanionFiles(std::vector<std::string> paths) { store_.setCompanionFiles(std::move(paths)); }

  // Restores weights, optimizer, data position and losses from
  // <run>/checkpoints/latest; false when the run has no checkpoint yet.
  bool resume();
  // Trains until totalSteps or cancel; always ends with a checkpoint.
  TrainingOutcome run();

  int64_t step() const { return step_; }
  const std::vector<double>& losses() const { return losses_; }
  const TrainingSettings& settings() const { return settings_; }
  const std::string& lastCheckpoint() const { return lastCheckpoint_; }

private:
  void prepareWeights();
  void checkSequences() const;
  double trainStep(double lr, double& gradNorm, int64_t& tokens, int64_t& targets);
  std::string saveCheckpoint();
  TrainerState state() const;
  double elapsedSeconds() const; // training wall time of the whole run so far

  LlamaModel& model_;
  std::vector<TrainingSequence> sequences_;
  TrainingSettings settings_;
  std::string runDir_;
  at::ScalarType computeDtype_;
  std::vector<std::pair<std::string, at::Tensor*>> modelParams_; // the model's leaves, ParameterNames order
  std::unique_ptr<AdamW> optimizer_; // over fp32 masters (the leaves themselves in f32)
  SequenceSampler sampler_;
  LrSchedule schedule_;
  CheckpointStore store_;
  EventLog events_;
  std::function<void(const TrainingProgress&)> progress_;
  const std::atomic<bool>* cancel_ = nullptr;

  int64_t step_ = 0;
  std::vector<double> losses_;
  int64_t tokens_ = 0, targets_ = 0;
  double elapsedBefore_ = 0; // seconds of earlier sessions and earlier run() calls
  std::chrono::steady_clock::time_point sessionStart_{};
  bool running_ = false; // inside run(): time since sessionStart_ counts too
  std::string lastCheckpoint_;
};

} // namespace poslab
