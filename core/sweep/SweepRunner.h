#pragma once
// Runs a position sweep (METHOD.md §1, DESIGN.md "The experiment engine"): for
// every example, every chosen gold position (and the baselines), one record —
// prompt tokens, greedy prediction, scores, teacher-forced answer
// log-probability, time. Records stream to the caller as they finish and are
// appended to <out>/examples.jsonl; a sweep started again on the same folder
// with the same settings skips the records already there. At the end (or on
// cancel) <out>/summary.json, summary.csv and run.json are written atomically.
// Plain types only: the GUI runs this on a worker thread.
#include "core/data/DatasetLoader.h"
#include "core/prompt/PromptFactory.h"
#include "core/sweep/SweepRecord.h"
#include "core/sweep/SweepSettings.h"
#include "core/sweep/SweepShare.h"
#include "core/sweep/SweepSummary.h"

#include <atomic>
#include <functional>
#include <string>

namespace poslab {

class Engine;

struct SweepProgress {
  size_t done = 0;    // records finished, resumed ones included
  size_t total = 0;   // records the sweep will have
  size_t resumed = 0; // records found in examples.jsonl at the start
  double elapsedSeconds = 0;
  double etaSeconds = 0;      // from this run's pace; 0 until a record finished
  double tokensPerSecond = 0; // prefill + decode tokens computed per second of this run
};

struct SweepCallbacks {
  std::function<void(const SweepRecord&)> onRecord;
  std::function<void(const SweepProgress&)> onProgress;
};

struct SweepResult {
  std::string status; // "finished" | "cancelled"
  SweepSummary summary;
  size_t resumed = 0;
  size_t computed = 0;
  size_t skippedBad = 0; // malformed data records skipped under skipBad
  double wallSeconds = 0;
  bool tornTailRemoved = false; // examples.jsonl ended in a half-written line (a kill)
};

class SweepRunner {
public:
  explicit SweepRunner(const Engine& engine);

  // `settings` may leave task, template, docs and max_new_tokens to the model's
  // poslab_task.json (ExperimentPrompts::resolve); what was used is written to the summary.
  // share: this process's part of a sweep split across ranks (SweepShare).
  SweepResult run(SweepSettings settings, const std::string& outDir, const SweepCallbacks& callbacks = {},
                  const std::atomic<bool>* cancel = nullptr, const SweepShare& share = {}) const;

  // The ids that end a generation: the model's EOS ids and the tokenizer's.
  static std::vector<int32_t> stopIds(const Engine& engine);

private:
  struct Run; // one run's state, passed from step to step (SweepRunner.cpp)

  // The steps of run(), in order.
  void loadExamples(Run& run) const;  // data, random distractors, --limit; checks task and baselines
  void planWork(Run& run) const;      // the (example, position | baseline) list, in reuse order
  void openRunFolder(Run& run) const; // checks a resumable folder, writes run.json, opens the logs
  void importShares(Run& run, const SweepShare& share) const; // the other ranks' records into the log
  void evaluatePending(Run& run, const SweepCallbacks& callbacks, const std::atomic<bool>* cancel,
                       const SweepShare& share) const;
  void writeSummary(Run& run) const; // summary.json, summary.csv, run.json, the closing event

  const Engine& engine_;
};

} // namespace poslab
