#pragma once
// Accumulates the records of one position (or baseline) as a sweep streams them.
#include "core/eval/PositionSummary.h"

#include <cstddef>
#include <optional>

namespace poslab {

class PositionTally {
public:
  void add(double score, std::optional<double> answerLogprob = std::nullopt);
  PositionSummary summary(int position) const;

private:
  size_t n_ = 0;
  size_t correct_ = 0;
  size_t logprobCount_ = 0;
  double logprobSum_ = 0.0;
};

} // namespace poslab
