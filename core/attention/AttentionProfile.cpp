#include "core/attention/AttentionProfile.h"

namespace poslab {

std::vector<float> AttentionProfile::massOverHeads() const {
  std::vector<float> out(layers * documents, 0.0f);
  for (size_t l = 0; l < layers; ++l)
    for (size_t d = 0; d < documents; ++d) {
      double sum = 0;
      for (size_t h = 0; h < heads; ++h)
        sum += at(l, h, d);
      out[l * documents + d] = heads ? static_cast<float>(sum / static_cast<double>(heads)) : 0.0f;
    }
  return out;
}

std::vector<float> AttentionProfile::massOverLayersAndHeads() const {
  std::vector<float> perLayer = massOverHeads();
  std::vector<float> out(documents, 0.0f);
  for (size_t d = 0; d < documents; ++d) {
    double sum = 0;
    for (size_t l = 0; l < layers; ++l)
      sum += perLayer[l * documents + d];
    out[d] = layers ? static_cast<float>(sum / static_cast<double>(layers)) : 0.0f;
  }
  return out;
}

} // namespace poslab
