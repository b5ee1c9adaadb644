#pragma once
// Prepares a distill set from a retrieval dataset (METHOD.md §2b, DESIGN.md
// "Distill sets"), with the prompts sweeps build (ExperimentPrompts):
//   r1     per question: the teacher response from the gold at the
//          advantageous position (wrong ones dropped and counted), K activation
//          instances with the gold at distinct other positions, one anchor;
//   seqkd  the teacher response at K positions (cross-entropy);
//   sft    the gold answer + EOS at K positions (cross-entropy);
//   r2     two-hop data: the teacher's chain of thought with both hops last
//          (right ones kept: exact match after "The answer is"), trained by
//          cross-entropy at K other (pre, post) hop pairs. On two-hop data
//          seqkd is the same set and sft answers "The answer is: <gold>".
// Questions are drawn by a seeded permutation; each question's positions,
// distractor orders and sampled response depend on (seed, question) only.
// Preparation is resumable: each question's outcome (kept with its instances,
// or dropped with the reason) is one line of <run>/prepare.jsonl, appended as
// it is decided, so a killed preparation loses at most the question at hand.
// Data parallel, each rank decides its share of the questions into a log of
// its own (PreparationShare), and one process then takes the shares in.
#include "core/distill/DistillSet.h"
#include "core/distill/DistillSettings.h"
#include "core/distill/PreparationShare.h"
#include "core/prompt/PromptFactory.h"
#include "core/sweep/SweepSettings.h"

#include <atomic>
#include <functional>
#include <map>
#include <optional>

namespace poslab {

class LlamaModel;

struct PreparationReport {
  int64_t questions = 0;                      // questions decided (resumed ones included)
  int64_t kept = 0;                           //
  int64_t dropped = 0;                        // wrong teacher answers (r1, seqkd)
  int64_t resumed = 0;                        // questions read back from the logs
  int64_t instances = 0;                      //
  std::vector<int64_t> studentPositions;      // histogram over 0-based gold positions of the instances
  std::map<std::string, int64_t> stopReasons; // of the teacher responses
  double seconds = 0;                         // this session's preparation time
  nlohmann::json toJson() const;
  // Counts one line of a prepare log (a decided question).
  void count(const nlohmann::json& line);
};

class DistillSetBuilder {
public:
  // prompts: resolved sweep settings (ExperimentPrompts::resolve); eos: appended to SFT answers.
  DistillSetBuilder(const LlamaModel& teacher, const Tokenizer& tokenizer, SweepSettings prompts,
                    DistillSettings settings, uint64_t seed, std::vector<int32_t> stopIds, int32_t eos);

  using Progress = std::function<void(const PreparationReport&, int64_t total)>;
  // Prepares from `examples` into prepareLog (resuming what it holds, and
  // taking in the lines of importFrom). nullopt when cancelled.
  std::optional<DistillSet> prepare(const std::vector<RetrievalExample>& examples,
                                    const std::string& prepareLog, PreparationReport& report,
                                    const Progress& progress = {}, const std::atomic<bool>* cancel = nullptr,
                                    const std::vector<std::string>& importFrom = {}) const;
  // Decides the questions of `share` into prepareLog (the same resumption);
  // the report counts that share's questions alone. false when cancelled.
  bool prepareShare(const std::vector<RetrievalExample>& examples, const std::string& prepareLog,
                    const PreparationShare& share, PreparationReport& report, const Progress& progress = {},
                    const std::atomic<bool>* cancel = nullptr) const;

  // The student positions of one question: K distinct positions other than the teacher's.
  std::vector<size_t> studentPositions(const RetrievalExample& example, size_t positions) const;
  // Two-hop: K distinct (pre, post) hop pairs among `documents` places, not the teacher's (last two).
  std::vector<std::pair<size_t, size_t>> studentPairs(const RetrievalExample& example,
                                                      size_t documents) const;
  // The questions drawn: the first N of a seeded permutation of the examples.
  std::vector<size_t> questionOrder(size_t examples) const;

private:
  using Decided = std::map<int64_t, nlohmann::json>; // question -> its line of the prepare log
  bool decideShare(const std::vector<RetrievalExample>& examples, const std::string& prepareLog,
                   const PreparationShare& share, Decided& decided, PreparationReport& report,
                   const Progress& progress, const std::atomic<bool>* cancel) const;
  // One question's instances, or the reason it was dropped.
  nlohmann::json decide(const RetrievalExample& example, int64_t question) const;
  PromptFactory factoryFor(uint64_t shuffleSeed, TaskKind kind) const;

  const LlamaModel& teacher_;
  const Tokenizer& tokenizer_;
  SweepSettings prompts_;
  DistillSettings settings_;
  uint64_t seed_;
  std::vector<int32_t> stopIds_;
  int32_t eos_;
};

} // namespace poslab
