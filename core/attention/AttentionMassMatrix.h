#pragma once
// Attention mass per document as the gold moves (Pos2Distill Fig. 7): for each
// gold position p, the mean over the analysed examples of the mass each
// document received. Plain data, made by AttentionAggregator.
#include <cstddef>
#include <string>
#include <vector>

namespace poslab {

struct AttentionMassMatrix {
  std::string query; // the profiles' query kind
  size_t layers = 0;
  size_t heads = 0;
  size_t documents = 0; // rows: document index in the prompt
  size_t positions = 0; // columns: gold position

  // mean over examples (and heads) of the mass on document d with the gold at p
  std::vector<float> perLayer;        // [layers][documents][positions]
  std::vector<float> averaged;        // [documents][positions]: also averaged over layers
  std::vector<float> outsidePerLayer; // [layers][positions]: mass outside every document
  std::vector<float> sinkPerLayer;    // [layers][positions]: sink share
  std::vector<size_t> counts;         // [positions]: profiles averaged into each column

  float layerAt(size_t layer, size_t document, size_t position) const {
    return perLayer[(layer * documents + document) * positions + position];
  }
  float averagedAt(size_t document, size_t position) const {
    return averaged[document * positions + position];
  }
};

} // namespace poslab
