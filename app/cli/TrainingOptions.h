#pragma once
// The options `train` and `distill` share, with one meaning (DESIGN.md): the
// run folder, optimizer, schedule, batching (--batch is the global batch of
// instances per optimizer step, --micro-batch bounds memory), checkpoints,
// device and the prompt side (the same names and meanings as `sweep`).
// Options that define a run are remembered, so --resume can refuse them.
#include "core/train/TrainingJob.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace poslab::cli {

struct PromptOptionValues {
  size_t docs = 0;
  std::string promptTemplate, chatTemplate = "auto", system;
  size_t randomDistractors = 0;
  uint64_t distractorSeed = 0;
  int64_t shuffleSeed = -1; // < 0: keep the distractor order
  size_t limit = 0;
  std::optional<uint64_t> shuffle() const {
    return shuffleSeed >= 0 ? std::optional<uint64_t>(static_cast<uint64_t>(shuffleSeed)) : std::nullopt;
  }
};

class TrainingOptions {
public:
  // Registers the shared options on `cmd`, writing into `settings`.
  TrainingOptions(CLI::App* cmd, TrainingSettings& settings);

  std::string out, device = "cpu", publish;
  std::string distBackend = "auto";
  double distTimeout = 300; // seconds a collective may take before the job ends
  int64_t steps = 0;
  int threads = 0;
  bool resume = false, json = false;
  PromptOptionValues prompt;

  bool stepsGiven() const { return steps_->count() > 0; }
  // Adds a run-defining option of the command itself.
  void defining(CLI::Option* option) { defining_.push_back(option); }
  // Throws poslab::Error naming the first run-defining option given with --resume.
  void refuseDefiningOnResume() const;
  // The runtime of a job started from the command line: device, threads, notes
  // and a progress bar on stderr (detail(p) after the bar), stop on Ctrl-C/SIGTERM.
  // Under torchrun or Slurm (DistributedEnvironment) it joins the job's process
  // group first; a rank other than 0 then writes its notes to RUN/logs/rank-K.log
  // and shows no progress bar.
  TrainingJobRuntime runtime(std::function<std::string(const TrainingProgress&)> detail) const;
  // Ends the progress line of runtime() (a newline after the bar, if one was drawn).
  void finishProgress() const;
  // --publish: copies the finished run's model with run.json and events.jsonl.
  void publishIfAsked(const std::string& model, bool leader) const; // leader: rank 0 (or one process)
  // The prompt options into a job's spec.
  void applyPrompt(TrainingJobSpec& spec) const;

private:
  CLI::Option* steps_ = nullptr;
  mutable std::shared_ptr<class ProgressBar> bar_;
  std::vector<CLI::Option*> defining_;
};

} // namespace poslab::cli
