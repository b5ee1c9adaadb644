#pragma once
// The demo's synthetic retrieval task: examples of `documents` short records
// "Document [n](Title: <name>) <name> <code>", one gold, and the question
// "<name>" (the prompt ends "Query: <name>", DemoRecipe.h says why). Names come from a fixed inventory (so
// that each is one tokenizer piece), codes are two digits, both distinct within an example. Seeded: example i
// of a split is drawn from its own SeededRandom stream, so the same seed gives the same files on every
// platform.
#include "core/data/RetrievalExample.h"
#include "core/demo/DemoRecipe.h"

#include <string>
#include <vector>

namespace poslab {

class SyntheticTaskGenerator {
public:
  explicit SyntheticTaskGenerator(const DemoRecipe& recipe);

  // Training examples; the gold is document 0 (retrieval order, most relevant
  // first, as upstream's files): training and sweeps place it themselves.
  std::vector<RetrievalExample> trainSet() const;
  // Held-out examples, none of whose gold facts (name, code) is a training
  // example's gold fact, so held-out accuracy cannot come from memorised facts.
  std::vector<RetrievalExample> heldoutSet(const std::vector<RetrievalExample>& train) const;

  const std::vector<std::string>& names() const { return names_; }

  // PosLab JSONL (docs/DATA-FORMAT.md), gzip-compressed with a fixed header
  // (no time stamp), written atomically: the same examples give the same bytes.
  static void writeJsonlGz(const std::string& path, const std::vector<RetrievalExample>& examples);

private:
  RetrievalExample example(const std::string& split, uint64_t stream, size_t index) const;

  DemoRecipe recipe_;
  std::vector<std::string> names_;
};

} // namespace poslab
