#include "core/eval/PositionTally.h"

#include "core/eval/WilsonInterval.h"

namespace poslab {

void PositionTally::add(double score, std::optional<double> answerLogprob) {
  ++n_;
  if (score > 0.5) ++correct_;
  if (answerLogprob) {
    ++logprobCount_;
    logprobSum_ += *answerLogprob;
  }
}

PositionSummary PositionTally::summary(int position) const {
  PositionSummary s;
  s.position = position;
  s.n = n_;
  s.correct = correct_;
  s.accuracy = n_ == 0 ? 0.0 : static_cast<double>(correct_) / static_cast<double>(n_);
  const auto ci = WilsonInterval::compute(correct_, n_);
  s.ciLow = ci.low;
  s.ciHigh = ci.high;
  if (logprobCount_ > 0) s.meanAnswerLogprob = logprobSum_ / static_cast<double>(logprobCount_);
  return s;
}

} // namespace poslab
