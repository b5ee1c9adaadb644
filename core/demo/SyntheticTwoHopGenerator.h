#pragma once
// A two-hop task beside the demo's (R2, METHOD.md §2), in the demo's
// vocabulary so the demo's tokenizer reads it: the question "<A>" is answered
// through two records, hop 1 "<A> <B>" (A's link is B) and hop 2 "<B> <code>";
// the other records are distractors of both shapes, "<N> <M>" and "<N> <code>",
// so neither hop can be told apart by its shape alone. The answer is the code.
// Seeded per example, as SyntheticTaskGenerator: the same seed gives the same
// examples on every platform.
#include "core/data/RetrievalExample.h"
#include "core/demo/DemoRecipe.h"

#include <string>
#include <vector>

namespace poslab {

class SyntheticTwoHopGenerator {
public:
  explicit SyntheticTwoHopGenerator(const DemoRecipe& recipe);

  // `count` examples of `split` ("train", "heldout", ...; each split its own
  // streams). The hops are documents 0 and 1 (hop 1, hop 2); placement moves them.
  std::vector<RetrievalExample> examples(const std::string& split, size_t count) const;

private:
  RetrievalExample example(const std::string& split, uint64_t stream, size_t index) const;

  DemoRecipe recipe_;
  std::vector<std::string> names_;
};

} // namespace poslab
