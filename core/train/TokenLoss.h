#pragma once
// Next-token cross-entropy of a micro-batch, summed (not averaged) over its
// target tokens, so that the trainer can divide by the target count of the
// whole optimizer step: accumulating micro-batches then equals one big batch.
#include "core/model/LlamaModel.h"
#include "core/train/TrainingSequence.h"

#include <vector>

namespace poslab {

class TokenLoss {
public:
  struct Sum {
    at::Tensor loss;     // 0-d fp32, differentiable; undefined when targets == 0
    int64_t targets = 0; // tokens that were predicted
    int64_t tokens = 0;  // real (non-pad) tokens forwarded
  };

  // Right-pads the sequences into one [B, T] batch and sums -log p(target)
  // over targets (lossMask, or every token after the first when allTokens).
  static Sum sum(const LlamaModel& model, const std::vector<const TrainingSequence*>& batch, bool allTokens);
  static int64_t targetCount(const TrainingSequence& sequence, bool allTokens);
};

} // namespace poslab
