#pragma once
// Next-token cross-entropy on the target tokens of training sequences, as a
// mean over every target token of the optimizer batch: a row's loss is the sum
// over its targets and each row's factor is 1 / (targets in the batch), so
// micro-batching equals one big batch. Plain `train`, and the sequence methods
// of a distill set (R2, SFT, SeqKD: METHOD.md §2b) use it.
#include "core/train/TrainingObjective.h"
#include "core/train/TrainingSequence.h"

#include <string>
#include <vector>

namespace poslab {

class CrossEntropyObjective : public TrainingObjective {
public:
  // allTokens: every next token is a target, not only those in the loss mask.
  // source names the data in errors ("training data", a distill set's path).
  CrossEntropyObjective(std::vector<TrainingSequence> sequences, bool allTokens,
                        std::string source = "training data");

  std::string name() const override { return "cross_entropy"; }
  size_t size() const override { return sequences_.size(); }
  void check(const ModelConfig& config) const override;
  RowLosses rows(const LlamaModel& model, const std::vector<size_t>& instances) const override;
  std::vector<double> factors(const std::vector<size_t>& batch,
                              const std::vector<double>& values) const override;

  const std::vector<TrainingSequence>& sequences() const { return sequences_; }

private:
  std::vector<TrainingSequence> sequences_;
  bool allTokens_;
  std::string source_;
};

} // namespace poslab
