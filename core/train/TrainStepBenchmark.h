#pragma once
// `poslab-cli bench train`: the time of PosLab's training step (Trainer's:
// forward, next-token cross-entropy on every token, backward, clipping, AdamW,
// and the bf16 master-weight copy) on random token sequences, beside the
// machine's matmul peak. The reference is the same step in eager PyTorch
// (tests/reference/bench_train_reference.py). No checkpoint is written.
// Other objectives (Pos2Distill's R1, core/distill/DistillStepBenchmark) time
// their step here too.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace poslab {

class Engine;
class TrainingObjective;

struct TrainStepOptions {
  int64_t batch = 8;
  int64_t tokens = 512;      // per sequence
  std::string dtype = "f32"; // "f32" | "bf16" (bf16 compute, fp32 master weights and moments)
  int steps = 3;             // timed steps, after one warm-up step
  bool checkpointActivations = false;
  int64_t loraRank = 0; // > 0: LoRA on all seven projections (alpha 2r) instead of every weight
};

struct TrainStepResult {
  double seconds = 0;         // best step
  double medianSeconds = 0;   //
  double tokensPerSecond = 0; // batch * tokens / best
  double gflops = 0;          // 3 x forward FLOPs (4 x with recomputation) / best
  double firstLoss = 0, lastLoss = 0;
  int64_t trainedParameters = 0;
};

class TrainStepBenchmark {
public:
  // Trains engine's model in place (its weights change) on random sequences of
  // options.tokens ids, the loss on every next token.
  static TrainStepResult run(Engine& engine, const TrainStepOptions& options);
  // The same timing with another objective over options.batch rows per step;
  // tokensPerRow (prompt + response) counts the work of a row.
  static TrainStepResult run(Engine& engine, const TrainStepOptions& options,
                             std::shared_ptr<const TrainingObjective> objective);
  // The random ids of the workload, [batch][tokens], seeded as the reference draws them.
  static std::vector<std::vector<int32_t>> randomRows(int64_t vocab, int64_t batch, int64_t tokens);
};

} // namespace poslab
