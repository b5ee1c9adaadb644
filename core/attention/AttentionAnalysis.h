#pragma once
// What one analysing forward returns: the per-document profile, the optional
// token-level matrix of one layer/head, and counts that show the probabilities
// were reduced block by block (no layer's T×T was ever kept).
#include "core/attention/AttentionProfile.h"
#include "core/attention/TokenAttention.h"

#include <cstdint>
#include <optional>

namespace poslab {

struct AttentionRunStats {
  int64_t observerCalls = 0;      // blocks of query rows seen (layers × blocks per layer)
  int64_t largestBlockRows = 0;   // most query rows in one block
  int64_t largestBlockFloats = 0; // most probabilities in one block: heads × rows × keys
  int64_t keptFloats = 0;         // probabilities copied out of the blocks (query rows only)
  double seconds = 0;             // the forward with its reductions
};

struct AttentionAnalysis {
  AttentionProfile profile;
  std::optional<TokenAttention> tokens; // when a layer/head was asked for
  AttentionRunStats stats;
};

} // namespace poslab
