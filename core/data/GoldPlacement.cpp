#include "core/data/GoldPlacement.h"

#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <string>

namespace poslab {

namespace {

std::string exampleName(const RetrievalExample& ex) {
  return "example " + std::to_string(ex.index);
}

// Gold out, first K-1 others kept (optionally shuffled), gold back in at `position`.
template <class T>
std::vector<T> arrange(const std::vector<T>& items, size_t gold, size_t keep, size_t position,
                       const std::optional<uint64_t>& seed, size_t exampleIndex) {
  std::vector<T> others;
  others.reserve(keep);
  for (size_t i = 0; i < items.size() && others.size() + 1 < keep; ++i)
    if (i != gold) others.push_back(items[i]);
  if (seed) SeededRandom(SeededRandom::derive(*seed, exampleIndex)).shuffle(others);
  others.insert(others.begin() + static_cast<std::ptrdiff_t>(position), items[gold]);
  return others;
}

} // namespace

size_t GoldPlacement::itemCount(const RetrievalExample& example) const {
  const size_t items = example.itemCount();
  if (options_.docs == 0) return items;
  if (options_.docs > items)
    fail(exampleName(example), "docs",
         "asks for " + std::to_string(options_.docs) + " " +
             (example.hasDocuments() ? "documents" : "pairs") + " but the example has " +
             std::to_string(items));
  return options_.docs;
}

size_t GoldPlacement::positionCount(const RetrievalExample& example) const {
  const size_t items = itemCount(example);
  return example.kind == TaskKind::TwoHop ? (items > 0 ? items - 1 : 0) : items;
}

RetrievalExample GoldPlacement::placePair(const RetrievalExample& example, size_t pre, size_t post) const {
  const size_t keep = itemCount(example);
  const std::vector<size_t> hops = example.hopIndices();
  if (example.kind != TaskKind::TwoHop || hops.size() != 2)
    fail(exampleName(example), "hops", "is not a two-hop example (two gold documents, hop 1 and hop 2)");
  if (keep < 2) fail(exampleName(example), "docs", "a two-hop prompt needs at least 2 documents");
  if (pre == post || pre >= keep || post >= keep)
    fail(exampleName(example), "position",
         "(" + std::to_string(pre) + ", " + std::to_string(post) +
             ") is not a pair of distinct positions below " + std::to_string(keep) + " (0-based)");
  std::vector<Document> others;
  others.reserve(keep);
  for (size_t i = 0; i < example.documents.size() && others.size() + 2 < keep; ++i)
    if (i != hops[0] && i != hops[1]) others.push_back(example.documents[i]);
  if (options_.shuffleSeed)
    SeededRandom(SeededRandom::derive(*options_.shuffleSeed, example.index)).shuffle(others);
  // The lower target first, so the second insert lands where it is asked to.
  const bool preFirst = pre < post;
  const size_t firstAt = preFirst ? pre : post, secondAt = preFirst ? post : pre;
  others.insert(others.begin() + static_cast<std::ptrdiff_t>(firstAt),
                example.documents[preFirst ? hops[0] : hops[1]]);
  others.insert(others.begin() + static_cast<std::ptrdiff_t>(secondAt),
                example.documents[preFirst ? hops[1] : hops[0]]);
  RetrievalExample placed = example;
  placed.documents = std::move(others);
  return placed;
}

RetrievalExample GoldPlacement::place(const RetrievalExample& example, size_t position) const {
  if (example.kind == TaskKind::TwoHop) {
    if (position >= positionCount(example))
      fail(exampleName(example), "position",
           std::to_string(position) + " is out of range: there are " +
               std::to_string(positionCount(example)) + " places for the hop pair (0-based)");
    return placePair(example, position, position + 1);
  }
  const size_t keep = positionCount(example);
  const auto gold = example.goldIndex();
  if (!gold)
    fail(exampleName(example), "gold", example.kind == TaskKind::Qa ? "no gold document" : "no queried pair");
  if (position >= keep)
    fail(exampleName(example), "position",
         std::to_string(position) + " is out of range: there are " + std::to_string(keep) +
             " positions (0-based)");
  RetrievalExample placed = example;
  if (example.kind == TaskKind::Qa)
    placed.documents = arrange(example.documents, *gold, keep, position, options_.shuffleSeed, example.index);
  else
    placed.pairs = arrange(example.pairs, *gold, keep, position, options_.shuffleSeed, example.index);
  return placed;
}

} // namespace poslab
