#pragma once
// Distill-set preparation split across data-parallel ranks (DistillJob): the
// builder decides only the questions whose place j in the drawn order has
// j ≡ index (mod count) -- the j-th question drawn goes to rank j mod N, so the
// shares differ by one question at most -- into its own log. It first takes in
// the decided lines of other logs (a single process's prepare.jsonl, the
// shares of a session with another number of ranks) that belong to its share,
// appending them to its log, so the other logs may then be removed. A share's
// log is a prepare log like any other (resumable), with only its share's lines.
#include <cstddef>
#include <string>
#include <vector>

namespace poslab {

struct PreparationShare {
  size_t index = 0;
  size_t count = 1;
  std::vector<std::string> importFrom; // prepare logs whose lines are taken in (missing ones skipped)
};

} // namespace poslab
