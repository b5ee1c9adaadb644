#pragma once
// `poslab-cli bench train --objective r1`: the time of one Pos2Distill R1
// step (METHOD.md §2b) -- the student's forward over prompt + response, the KL
// to the frozen teacher's distributions over the response tokens (fp32 softmax
// over the full vocabulary), the `paper` position weighting, backward,
// clipping, AdamW -- timed by TrainStepBenchmark on the same random ids as the
// cross-entropy step. Row b: teacher prompt = the first T - R ids, response =
// the last R, student prompt = the teacher prompt rotated left by b + 1 (the
// same tokens elsewhere, as a moved gold), gold position b (one per bin). The
// teacher is cached (filled once before the timed steps; its time and bytes
// reported) or live (a frozen copy, one forward per row per step). The
// reference is the same step in eager PyTorch (tests/reference/bench_train_reference.py --objective r1).
#include "core/train/TrainStepBenchmark.h"

namespace poslab {

struct DistillStepOptions {
  TrainStepOptions step;         // batch, tokens (prompt + response), dtype, steps, LoRA
  int64_t responseTokens = 32;   // R
  std::string teacher = "cache"; // cache | live
};

struct DistillStepResult {
  TrainStepResult step;
  double teacherFillSeconds = 0; // cache: filling it once (not in the step time)
  int64_t teacherCacheBytes = 0; //
};

class DistillStepBenchmark {
public:
  // Trains engine's model in place (its weights change).
  static DistillStepResult run(Engine& engine, const DistillStepOptions& options);
};

} // namespace poslab
