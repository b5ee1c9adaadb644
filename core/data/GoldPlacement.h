#pragma once
// Puts the gold document (QA) or the queried pair (KV) at a chosen position
// (METHOD.md §1): the gold is taken out and re-inserted at 0-based index i; the
// other items keep their original relative order (retrieval order, most relevant
// first), as upstream's --gold-index does.
#include "core/data/RetrievalExample.h"

#include <cstdint>
#include <optional>

namespace poslab {

struct PlacementOptions {
  // K: keep the gold and the first K-1 other items in their order; 0 keeps all.
  size_t docs = 0;
  // Shuffle the kept distractors (upstream's --use-random-ordering). The order
  // depends on (seed, example.index) only, so every position of one example
  // sees the same distractor order.
  std::optional<uint64_t> shuffleSeed{};
};

class GoldPlacement {
public:
  explicit GoldPlacement(PlacementOptions options = {}) : options_(options) {}

  // How many positions the example has under these options (K, or all items).
  size_t positionCount(const RetrievalExample& example) const;

  // The example with its documents (QA) or pairs (KV) rearranged so the gold sits
  // at `position`. Throws poslab::Error when the example has no gold, fewer items
  // than K, or position >= positionCount.
  RetrievalExample place(const RetrievalExample& example, size_t position) const;

private:
  PlacementOptions options_;
};

} // namespace poslab
