#include "core/eval/McNemarTest.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace poslab {

double McNemarTest::exactPValue(size_t b, size_t c) {
  const size_t n = b + c;
  const size_t m = std::min(b, c);
  if (2 * m >= n) return 1.0; // b == c: the tail holds at least half the mass
  // For k <= m < n/2 the terms C(n, k) grow with k, so the largest is the last:
  // log t_m = log C(n, m) - n log 2. Walk down with t_{k-1} / t_k = k / (n - k + 1).
  const double nd = static_cast<double>(n);
  const double md = static_cast<double>(m);
  const double logTop =
      std::lgamma(nd + 1.0) - std::lgamma(md + 1.0) - std::lgamma(nd - md + 1.0) - nd * std::log(2.0);
  double sum = 1.0;
  double term = 1.0;
  for (size_t k = m; k > 0; --k) {
    term *= static_cast<double>(k) / static_cast<double>(n - k + 1);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return std::min(1.0, 2.0 * std::exp(logTop + std::log(sum)));
}

McNemarTest McNemarTest::compare(const std::vector<double>& a, const std::vector<double>& bScores) {
  if (a.size() != bScores.size())
    fail("", "mcnemar test",
         "runs have " + std::to_string(a.size()) + " and " + std::to_string(bScores.size()) + " records");
  McNemarTest test;
  for (size_t i = 0; i < a.size(); ++i) {
    const bool ra = a[i] > 0.5;
    const bool rb = bScores[i] > 0.5;
    if (ra && !rb) ++test.b;
    if (!ra && rb) ++test.c;
  }
  test.pValue = exactPValue(test.b, test.c);
  return test;
}

} // namespace poslab
