#pragma once
// The token-level attention of one layer and head (or the mean or max over its
// heads): the probabilities of some query rows over every key they can see.
// Plain data for heatmaps and JSON.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

struct TokenAttention {
  int64_t layer = 0;
  int64_t head = 0;                // -1 when reduced over the heads
  std::string heads = "head";      // "head" (one head) | "mean" | "max"
  std::vector<size_t> queryTokens; // token indices of the rows, ascending
  std::vector<size_t> keyTokens;   // 0 .. last query token (causal: later keys get nothing)
  std::vector<float> weights;      // [queryTokens.size()][keyTokens.size()], row-major; rows sum to 1
                                   // (one head or the mean; the max's rows do not)

  float at(size_t row, size_t key) const { return weights[row * keyTokens.size() + key]; }
};

} // namespace poslab
