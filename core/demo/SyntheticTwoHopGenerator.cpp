#include "core/demo/SyntheticTwoHopGenerator.h"

#include "core/data/SeededRandom.h"
#include "core/demo/SyntheticTaskGenerator.h"
#include "core/util/Error.h"

namespace poslab {

SyntheticTwoHopGenerator::SyntheticTwoHopGenerator(const DemoRecipe& recipe)
    : recipe_(recipe), names_(SyntheticTaskGenerator(recipe).names()) {
  // Titles, link targets and the bridge are all distinct names.
  if (names_.size() < 2 * recipe_.documents)
    fail("demo recipe", "nameInventory", "a two-hop example needs 2 x documents names");
  if (recipe_.documents < 3) fail("demo recipe", "documents", "a two-hop example needs at least 3 documents");
}

std::vector<RetrievalExample> SyntheticTwoHopGenerator::examples(const std::string& split,
                                                                 size_t count) const {
  // A split's streams start at an FNV-1a hash of its name (the same on every platform).
  uint64_t base = 0xcbf29ce484222325ull;
  for (unsigned char c : split)
    base = (base ^ c) * 0x100000001b3ull;
  std::vector<RetrievalExample> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i)
    out.push_back(example(split, base + i, i));
  return out;
}

RetrievalExample SyntheticTwoHopGenerator::example(const std::string& split, uint64_t stream,
                                                   size_t index) const {
  SeededRandom rng(SeededRandom::derive(recipe_.seed, stream));
  const size_t K = recipe_.documents;
  // 2K distinct names (K titles, then link targets) and K distinct codes.
  const std::vector<size_t> nameIdx = rng.distinct(names_.size(), 2 * K);
  const std::vector<size_t> codeIdx =
      rng.distinct(static_cast<size_t>(recipe_.codeMax - recipe_.codeMin + 1), K);
  auto name = [&](size_t i) -> const std::string& { return names_[nameIdx[i]]; };
  auto code = [&](size_t i) { return std::to_string(recipe_.codeMin + static_cast<int>(codeIdx[i])); };

  RetrievalExample ex;
  ex.kind = TaskKind::TwoHop;
  ex.index = index;
  ex.id = "two-hop-" + split + "-" + std::to_string(index);
  // Hop 1: A -> B (B is document 1's title); hop 2: B -> the code.
  ex.documents.push_back({name(0), name(0) + " " + name(1), true, 1});
  ex.documents.push_back({name(1), name(1) + " " + code(0), true, 2});
  for (size_t i = 2; i < K; ++i) {
    // Distractors alternate the two shapes; a link's target is no title here.
    const std::string text = i % 2 == 0 ? name(K + i) : code(i);
    ex.documents.push_back({name(i), name(i) + " " + text, false, 0});
  }
  ex.question = name(0);
  ex.answers = {code(0)};
  ex.metadata["source"] = "SyntheticTwoHopGenerator, seed " + std::to_string(recipe_.seed);
  return ex;
}

} // namespace poslab
