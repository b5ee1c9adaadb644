#pragma once
// trainer_state.json of a checkpoint: where the run stands, so that resuming
// continues the same run. The loop has no randomness besides the data order
// (no dropout), so the sampler's (seed, epoch, index) is the whole RNG state.
#include "core/train/SequenceSampler.h"
#include "core/train/TrainingSettings.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct TrainerState {
  int64_t step = 0;               // optimizer steps done
  SequenceSampler::State sampler; // position in the data order
  uint64_t sequenceCount = 0;     // training sequences the sampler permutes
  std::vector<double> losses;     // loss of every step so far
  int64_t tokens = 0;             // tokens forwarded so far
  int64_t targets = 0;            // target tokens so far
  double elapsedSeconds = 0;      // training wall time so far (all sessions)
  TrainingSettings settings;

  nlohmann::json toJson() const;
  // Throws poslab::Error naming `source` and the missing or invalid field.
  static TrainerState fromJson(const nlohmann::json& j, const std::string& source);
};

} // namespace poslab
