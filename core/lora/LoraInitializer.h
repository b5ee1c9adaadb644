#pragma once
// A fresh adapter for training, initialised as PEFT's default
// (init_lora_weights=True): A from Kaiming-uniform with a = √5, i.e.
// U(-1/√in, 1/√in), and B zero, so the adapted model starts equal to the base.
#include "core/lora/LoraConfig.h"
#include "core/model/LlamaModel.h"

#include <cstdint>
#include <memory>

namespace poslab {

class LoraInitializer {
public:
  // fp32 tensors on the base's device, A drawn from a generator seeded by `seed`
  // in layer, then LoraTarget, order.
  static std::shared_ptr<LoraWeights> create(const LoraConfig& config, const LlamaModel& base, uint64_t seed);
};

} // namespace poslab
