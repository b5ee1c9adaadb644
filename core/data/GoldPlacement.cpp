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

size_t GoldPlacement::positionCount(const RetrievalExample& example) const {
  const size_t items = example.itemCount();
  if (options_.docs == 0) return items;
  if (options_.docs > items)
    fail(exampleName(example), "docs",
         "asks for " + std::to_string(options_.docs) + " " +
             (example.kind == TaskKind::Qa ? "documents" : "pairs") + " but the example has " +
             std::to_string(items));
  return options_.docs;
}

RetrievalExample GoldPlacement::place(const RetrievalExample& example, size_t position) const {
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
