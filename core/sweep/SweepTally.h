#pragma once
// A sweep's summary kept up to date record by record. SweepSummary::of folds a
// finished list through it; a live view keeps one per running sweep, so each
// redraw costs O(positions) instead of a pass over every record so far.
#include "core/eval/PositionTally.h"
#include "core/sweep/SweepRecord.h"
#include "core/sweep/SweepSummary.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace poslab {

class SweepTally {
public:
  void add(const SweepRecord& record);
  SweepSummary summary() const;
  size_t records() const { return records_; }

private:
  std::map<size_t, PositionTally> byPosition_;
  std::optional<PositionTally> closedBook_;
  std::optional<PositionTally> oracle_;
  std::set<size_t> examples_;
  size_t records_ = 0;
  int64_t promptTokens_ = 0;
  int64_t prefillTokens_ = 0;
  int64_t decodeTokens_ = 0;
  double recordSeconds_ = 0;
};

} // namespace poslab
