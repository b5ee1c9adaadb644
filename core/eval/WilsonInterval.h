#pragma once
// Wilson score interval for a binomial proportion (Wilson 1927), the error bars
// of the accuracy-vs-position plot (DESIGN.md "Aggregates per position").
#include <cstddef>

namespace poslab {

struct WilsonInterval {
  static constexpr double kZ95 = 1.959963984540054; // two-sided 95 %: Phi^-1(0.975)

  double low = 0.0;
  double high = 1.0;

  // correct successes out of n trials. n == 0 carries no information: [0, 1].
  // correct == 0 gives low == 0 exactly, correct == n gives high == 1 exactly.
  static WilsonInterval compute(size_t correct, size_t n, double z = kZ95);
};

} // namespace poslab
