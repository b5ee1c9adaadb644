#pragma once
// Exact McNemar test for two runs scored on the same (example, position) records
// (DESIGN.md: "Runs compare per position with a paired test on the same examples").
// Only discordant pairs count: b = right in A and wrong in B, c = the reverse.
// Under H0 b ~ Binomial(b + c, 1/2); the two-sided p-value is
//   p = min(1, 2 * sum_{k <= min(b, c)} C(b + c, k) / 2^(b + c)).
#include <cstddef>
#include <vector>

namespace poslab {

struct McNemarTest {
  size_t b = 0; // A correct, B wrong
  size_t c = 0; // A wrong, B correct
  double pValue = 1.0;

  // Stable for b + c up to millions: the tail is summed in log space relative to
  // its largest term.
  static double exactPValue(size_t b, size_t c);

  // Paired scores (0/1; > 0.5 counts as correct); the vectors must be equally long.
  static McNemarTest compare(const std::vector<double>& a, const std::vector<double>& bScores);
};

} // namespace poslab
