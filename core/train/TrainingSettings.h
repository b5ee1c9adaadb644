#pragma once
// Every knob of a training run, in one plain struct. Saved into run.json and
// into each checkpoint's trainer_state.json so a resumed run uses the same
// settings and a reader can tell how a checkpoint was made.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct TrainingSettings {
  double lr = 3e-4;              // peak learning rate, reached at the end of warm-up
  double minLrRatio = 0.1;       // the cosine decays to minLrRatio × lr at totalSteps
  int64_t warmupSteps = 0;       // linear warm-up (optimizer steps)
  int64_t totalSteps = 100;      // optimizer steps of the whole run
  int64_t batchSize = 8;         // instances per optimizer step (the global batch, DESIGN.md)
  int64_t microBatch = 0;        // instances per forward/backward pass (memory bound); 0 = the whole batch
  double clipNorm = 1.0;         // global L2 gradient-norm bound; <= 0 disables clipping
  double weightDecay = 0.01;     // decoupled (AdamW); applied to matrices and embeddings only
  double beta1 = 0.9;            //
  double beta2 = 0.95;           //
  double eps = 1e-8;             //
  uint64_t seed = 0;             // data order (and, for --init, the initial weights)
  std::string dtype = "f32";     // "f32" | "bf16" (bf16 compute, fp32 master weights and state)
  std::string lossOn = "answer"; // "answer": tokens marked in the loss mask | "all": every next token
  int64_t checkpointEvery = 0;   // optimizer steps between checkpoints; 0 = only at the end / cancel
  int64_t keepCheckpoints = 2;   // newest checkpoints kept on disk (>= 1)
  int64_t logEvery = 1;          // optimizer steps between "step" events
  // true: each epoch visits the sequences in a fresh seeded permutation;
  // false: in the order given, every epoch (a curriculum, as make-demo's).
  bool shuffle = true;
  // Recompute each decoder layer in backward instead of keeping its activations
  // (LayerCheckpoint): the same numbers, less memory, one more forward per layer.
  bool activationCheckpointing = false;
  // LoRA (core/lora, PEFT's semantics): loraRank > 0 trains rank-r adapters on
  // the named projections of a frozen base; 0 fine-tunes every weight.
  // Checkpoints are then PEFT adapter folders (adapter and its optimizer state only).
  int64_t loraRank = 0;                 // r
  double loraAlpha = 0;                 // lora_alpha; 0 = 2 × r
  std::vector<std::string> loraTargets; // HF module names ("q_proj", ...); empty = all seven
  bool loraRsLora = false;              // scale alpha / sqrt(r) instead of alpha / r
  double loraScaleAlpha() const { return loraAlpha > 0 ? loraAlpha : 2.0 * static_cast<double>(loraRank); }

  // Ranges and names; throws poslab::Error naming `source` and the field.
  void validate(const std::string& source) const;

  nlohmann::json toJson() const;
  // Micro-batches per optimizer step: the batch cut into passes of at most microBatch.
  int64_t microBatches() const;

  // Every field optional (defaults); unknown fields are refused so a typo is not silently ignored.
  // The older pair {batch_size: B, grad_accumulation: A} (B per pass, A passes) reads as
  // batch_size B*A with micro_batch B: the same optimizer steps.
  static TrainingSettings fromJson(const nlohmann::json& j, const std::string& source);
};

} // namespace poslab
