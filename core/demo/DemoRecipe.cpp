#include "core/demo/DemoRecipe.h"

#include <cmath>

namespace poslab {

std::vector<double> DemoRecipe::positionWeights() const {
  std::vector<double> w(documents);
  double total = 0;
  for (size_t p = 0; p < documents; ++p) {
    const double fromStart = static_cast<double>(p), fromEnd = static_cast<double>(documents - 1 - p);
    w[p] =
        std::exp(-fromStart / positionDecay) + endWeight * std::exp(-fromEnd / positionDecay) + positionFloor;
    total += w[p];
  }
  for (double& x : w)
    x /= total;
  return w;
}

} // namespace poslab
