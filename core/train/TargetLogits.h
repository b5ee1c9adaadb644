#pragma once
// One forward pass over a micro-batch of training sequences, keeping only the
// positions that predict a target token: the vocabulary projection (the
// largest matrix of a small model) runs on those rows alone. Cross-entropy and
// Pos2Distill's KL both start from here.
#include "core/model/LlamaModel.h"
#include "core/train/TrainingSequence.h"

#include <vector>

namespace poslab {

struct TargetLogits {
  at::Tensor logits;  // [N, vocab] fp32, differentiable: the distribution that predicts each target
  at::Tensor targets; // [N] int64: the target ids, row by row, in sequence order
  at::Tensor row;     // [N] int64: the micro-batch row each target belongs to
  int64_t tokens = 0; // real (non-pad) tokens forwarded

  // Right-pads the sequences into one [B, T] batch. Targets: tokens whose
  // lossMask is set (or every token after the first when allTokens).
  static TargetLogits of(const LlamaModel& model, const std::vector<const TrainingSequence*>& batch,
                         bool allTokens);
  static int64_t targetCount(const TrainingSequence& sequence, bool allTokens);
};

} // namespace poslab
