#pragma once
// Puts the gold document (QA) or the queried pair (KV) at a chosen position
// (METHOD.md §1): the gold is taken out and re-inserted at 0-based index i; the
// other items keep their original relative order (retrieval order, most relevant
// first), as upstream's --gold-index does. A two-hop example's hops are placed
// as a pair (pre, post): hop 1 at pre, hop 2 at post (R2's layouts, METHOD.md
// §2); a sweep's position p of a two-hop example is the pair (p, p + 1).
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

  // How many positions the example has under these options (K, or all items;
  // a two-hop example: K - 1, the places of its adjacent hop pair).
  size_t positionCount(const RetrievalExample& example) const;
  // The number of documents (K, or all) the prompt lists.
  size_t itemCount(const RetrievalExample& example) const;

  // The example with its documents (QA) or pairs (KV) rearranged so the gold sits
  // at `position`. Throws poslab::Error when the example has no gold, fewer items
  // than K, or position >= positionCount.
  RetrievalExample place(const RetrievalExample& example, size_t position) const;
  // A two-hop example with hop 1 at 0-based `pre` and hop 2 at `post` (pre !=
  // post, both < itemCount); the distractors keep their order for every pair.
  RetrievalExample placePair(const RetrievalExample& example, size_t pre, size_t post) const;

private:
  PlacementOptions options_;
};

} // namespace poslab
