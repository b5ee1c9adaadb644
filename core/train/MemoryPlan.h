#pragma once
// What a training run needs in memory, estimated before it starts (`--plan`),
// and the device's memory, so a run that cannot fit is refused with the
// numbers instead of dying hours later. Parts: weights (compute dtype, plus the
// fp32 masters under bf16), gradients (compute dtype, plus the fp32 copy the
// optimizer step takes), AdamW's two fp32 moments, the activations autograd
// keeps for one micro-batch at the longest sequence, the vocabulary rows of the
// loss, and the teacher (its cache, or a frozen fp32 copy of the model).
#include "core/model/ModelConfig.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct MemoryPlan {
  int64_t weights = 0, gradients = 0, optimizer = 0, activations = 0, lossRows = 0, teacher = 0;
  int64_t total() const { return weights + gradients + optimizer + activations + lossRows + teacher; }
  int64_t available = -1; // bytes the device can give (-1: unknown)
  std::string device;

  struct Inputs {
    int64_t microBatch = 1;      // rows per forward/backward pass
    int64_t longestSequence = 0; // tokens
    int64_t targetsPerPass = 0;  // predicted tokens of the largest pass (loss rows)
    bool bf16 = false;
    int64_t teacherCacheBytes = 0; // cached teacher distributions
    bool liveTeacher = false;      // a frozen fp32 copy of the model instead
    bool checkpointLayers = false; // activation checkpointing: layer inputs kept, one layer live
    int64_t loraParameters = 0;    // > 0: LoRA trains these alone, the base stays frozen (fp32)
  };
  // Parameters of rank-r adapters on every layer's `targets` (HF module names; empty = all seven).
  static int64_t loraParameterCount(const ModelConfig& config, int64_t r,
                                    const std::vector<std::string>& targets);
  static MemoryPlan estimate(const ModelConfig& config, const Inputs& in, const std::string& device);

  bool fits() const { return available < 0 || total() <= available; }
  nlohmann::json toJson() const;
  std::string text() const; // one line per part, for `--plan`
};

} // namespace poslab
