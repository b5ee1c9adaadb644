#pragma once
// A sweep split across data-parallel ranks (DistillJob's held-out evaluations):
// the runner computes only the examples whose index ≡ index (mod count) -- whole
// examples, so each keeps its prefix reuse -- and first takes in the finished
// records of other folders' examples.jsonl (the other ranks' shares) that this
// sweep's work list holds. A share's folder is a sweep folder like any other
// (resumable), with only its share of the records.
#include <cstddef>
#include <string>
#include <vector>

namespace poslab {

struct SweepShare {
  size_t index = 0;
  size_t count = 1;
  std::vector<std::string> importFrom; // sweep folders whose records are taken in
};

} // namespace poslab
