#include "core/sweep/SweepTally.h"

namespace poslab {

void SweepTally::add(const SweepRecord& r) {
  if (r.position) {
    byPosition_[*r.position].add(r.score, r.answerLogprob);
  } else {
    std::optional<PositionTally>& baseline = r.baseline == "closed_book" ? closedBook_ : oracle_;
    if (!baseline) baseline.emplace();
    baseline->add(r.score, r.answerLogprob);
  }
  examples_.insert(r.example);
  ++records_;
  promptTokens_ += r.promptTokens;
  prefillTokens_ += r.prefillTokens;
  decodeTokens_ += r.decodeTokens;
  recordSeconds_ += r.timeSeconds;
}

SweepSummary SweepTally::summary() const {
  SweepSummary s;
  for (const auto& [position, tally] : byPosition_)
    s.positions.push_back(tally.summary(static_cast<int>(position)));
  if (closedBook_) s.closedBook = closedBook_->summary(-1);
  if (oracle_) s.oracle = oracle_->summary(-1);
  s.records = records_;
  s.examples = examples_.size();
  s.promptTokens = promptTokens_;
  s.prefillTokens = prefillTokens_;
  s.decodeTokens = decodeTokens_;
  s.recordSeconds = recordSeconds_;
  return s;
}

} // namespace poslab
