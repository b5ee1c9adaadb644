#pragma once
// Two sweeps compared position by position with an exact McNemar test on the
// records they share (same example id at the same position or baseline), as
// DESIGN.md asks: "Runs compare per position with a paired test on the same
// examples". Typical use: a base model against its fine-tuned copy.
#include "core/eval/McNemarTest.h"
#include "core/sweep/SweepRecord.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct PositionComparison {
  std::optional<size_t> position; // nullopt: a baseline
  std::string baseline;
  size_t pairs = 0;
  double accuracyA = 0;
  double accuracyB = 0;
  McNemarTest test; // b: A right and B wrong; c: the reverse
};

struct SweepComparison {
  std::vector<PositionComparison> rows; // positions ascending, then baselines
  size_t onlyInA = 0;                   // records without a partner
  size_t onlyInB = 0;

  static SweepComparison of(const std::vector<SweepRecord>& a, const std::vector<SweepRecord>& b);
  // Reads <dir>/examples.jsonl of each run folder.
  static SweepComparison ofRuns(const std::string& dirA, const std::string& dirB);
  nlohmann::ordered_json toJson() const;
};

} // namespace poslab
