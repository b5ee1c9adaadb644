#pragma once
// One training sequence: token ids and which of them are targets.
// lossMask[t] = 1: token t is predicted from tokens 0..t-1 and counts in the
// loss (so lossMask[0] is never used: nothing predicts the first token).
#include <cstdint>
#include <vector>

namespace poslab {

struct TrainingSequence {
  std::vector<int32_t> ids;
  std::vector<uint8_t> lossMask; // same length as ids
};

} // namespace poslab
