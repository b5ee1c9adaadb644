#pragma once
// The aggregates of summary.json / summary.csv (DESIGN.md "Sweep results"):
// per gold position n, correct, accuracy, Wilson 95 % interval and mean answer
// log-probability; the same for the closed-book and oracle baselines; token
// and time totals over the records.
#include "core/eval/PositionSummary.h"
#include "core/sweep/SweepRecord.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct SweepSummary {
  std::vector<PositionSummary> positions; // ascending position, only positions with records
  std::optional<PositionSummary> closedBook;
  std::optional<PositionSummary> oracle;
  size_t records = 0;
  size_t examples = 0;       // distinct examples with at least one record
  int64_t promptTokens = 0;  // what the naive path would prefill
  int64_t prefillTokens = 0; // what was computed
  int64_t decodeTokens = 0;
  double recordSeconds = 0; // sum of the records' times

  static SweepSummary of(const std::vector<SweepRecord>& records);

  static nlohmann::ordered_json toJson(const PositionSummary& row, bool withPosition);
  nlohmann::ordered_json positionsJson() const;
  nlohmann::ordered_json baselinesJson() const;
  // summary.csv: the positions rows, then the baselines with their name in `position`.
  std::string csv() const;

  // Whether the sweep in `dir` ended: its summary.json says "status": "finished".
  // No summary is false; one that cannot be read, or whose status is not a
  // string, is poslab::Error naming the file (and the field).
  static bool finishedIn(const std::string& dir);
};

} // namespace poslab
