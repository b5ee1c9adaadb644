#include "core/demo/DemoRecipe.h"

#include <algorithm>
#include <cmath>

namespace poslab {

std::vector<double> DemoRecipe::positionWeights() const {
  const size_t n = places();
  std::vector<double> w(n);
  double total = 0;
  for (size_t p = 0; p < n; ++p) {
    const double fromStart = static_cast<double>(p), fromEnd = static_cast<double>(n - 1 - p);
    w[p] =
        std::exp(-fromStart / positionDecay) + endWeight * std::exp(-fromEnd / positionDecay) + positionFloor;
    total += w[p];
  }
  for (double& x : w)
    x /= total;
  if (task == TaskKind::TwoHop) std::reverse(w.begin(), w.end());
  return w;
}

} // namespace poslab
