#pragma once
// One row of summary.json's "positions" (DESIGN.md "Sweep results"): the records
// of one gold position aggregated. Baselines use the same fields with position -1.
#include <cstddef>
#include <optional>

namespace poslab {

struct PositionSummary {
  int position = -1; // 0-based gold position; -1 for a baseline (closed-book, oracle)
  size_t n = 0;
  size_t correct = 0;    // records whose score is > 0.5
  double accuracy = 0.0; // correct / n (0 when n == 0)
  double ciLow = 0.0;    // Wilson 95 %
  double ciHigh = 1.0;
  std::optional<double> meanAnswerLogprob; // over the records that had one
};

} // namespace poslab
