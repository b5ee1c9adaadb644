#include "core/attention/AttentionAggregator.h"

#include "core/util/Error.h"

namespace poslab {

void AttentionAggregator::add(const AttentionProfile& p, size_t goldPosition) {
  if (goldPosition >= positions_)
    fail("", "gold position",
         std::to_string(goldPosition) + " is outside 0.." + std::to_string(positions_ - 1));
  if (added_ == 0) {
    query_ = p.query;
    layers_ = p.layers;
    heads_ = p.heads;
    documents_ = p.documents;
    mass_.assign(layers_ * documents_ * positions_, 0.0);
    outside_.assign(layers_ * positions_, 0.0);
    sink_.assign(layers_ * positions_, 0.0);
    counts_.assign(positions_, 0);
  } else if (p.layers != layers_ || p.heads != heads_ || p.documents != documents_ || p.query != query_) {
    fail("", "attention profile",
         "shape " + std::to_string(p.layers) + "x" + std::to_string(p.heads) + "x" +
             std::to_string(p.documents) + " (" + p.query + ") differs from the first profile's " +
             std::to_string(layers_) + "x" + std::to_string(heads_) + "x" + std::to_string(documents_) +
             " (" + query_ + ")");
  }
  const std::vector<float> perLayer = p.massOverHeads(); // [layers][documents]
  for (size_t l = 0; l < layers_; ++l) {
    for (size_t d = 0; d < documents_; ++d)
      mass_[(l * documents_ + d) * positions_ + goldPosition] += perLayer[l * documents_ + d];
    double outside = 0;
    for (size_t h = 0; h < heads_; ++h)
      outside += p.outsideMass[l * heads_ + h];
    outside_[l * positions_ + goldPosition] += heads_ ? outside / static_cast<double>(heads_) : 0.0;
    sink_[l * positions_ + goldPosition] += p.sinkShare[l];
  }
  ++counts_[goldPosition];
  ++added_;
}

AttentionMassMatrix AttentionAggregator::result() const {
  AttentionMassMatrix m;
  m.query = query_;
  m.layers = layers_;
  m.heads = heads_;
  m.documents = documents_;
  m.positions = positions_;
  m.counts = counts_;
  if (counts_.empty()) m.counts.assign(positions_, 0);
  m.perLayer.assign(layers_ * documents_ * positions_, 0.0f);
  m.averaged.assign(documents_ * positions_, 0.0f);
  m.outsidePerLayer.assign(layers_ * positions_, 0.0f);
  m.sinkPerLayer.assign(layers_ * positions_, 0.0f);
  for (size_t p = 0; p < positions_ && !counts_.empty(); ++p) {
    // A column no profile reached stays 0 with count 0; readers must check counts.
    if (counts_[p] == 0) continue;
    const double n = static_cast<double>(counts_[p]);
    for (size_t d = 0; d < documents_; ++d) {
      double overLayers = 0;
      for (size_t l = 0; l < layers_; ++l) {
        const double mean = mass_[(l * documents_ + d) * positions_ + p] / n;
        m.perLayer[(l * documents_ + d) * positions_ + p] = static_cast<float>(mean);
        overLayers += mean;
      }
      m.averaged[d * positions_ + p] =
          layers_ ? static_cast<float>(overLayers / static_cast<double>(layers_)) : 0.0f;
    }
    for (size_t l = 0; l < layers_; ++l) {
      m.outsidePerLayer[l * positions_ + p] = static_cast<float>(outside_[l * positions_ + p] / n);
      m.sinkPerLayer[l * positions_ + p] = static_cast<float>(sink_[l * positions_ + p] / n);
    }
  }
  return m;
}

} // namespace poslab
