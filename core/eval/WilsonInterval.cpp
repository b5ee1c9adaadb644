#include "core/eval/WilsonInterval.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace poslab {

WilsonInterval WilsonInterval::compute(size_t correct, size_t n, double z) {
  if (correct > n)
    fail("", "wilson interval", std::to_string(correct) + " correct out of " + std::to_string(n));
  if (n == 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(correct) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double center = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  WilsonInterval ci;
  ci.low = correct == 0 ? 0.0 : std::max(0.0, center - half);
  ci.high = correct == n ? 1.0 : std::min(1.0, center + half);
  return ci;
}

} // namespace poslab
