#pragma once
// One (example, gold position) analysed for the explorer: the prompt the sweep
// would build, the model's greedy answer and its score, and where attention
// went (core/attention), turned into the explorer's plain PlacementDetails.
// Runs on the engine's worker thread.
#include "core/sweep/SweepSettings.h"
#include "widgets/PlacementDetails.h"

#include <memory>
#include <string>
#include <vector>

namespace poslab {

class Engine;
struct RetrievalExample;

struct PlacementRequest {
  SweepSettings settings; // data path, docs, template: as the sweep resolves them
  int example = 0;
  int position = 0;
  QuerySelection query = QuerySelection::LastToken;
  QString key() const;
};

class PlacementBuilder {
public:
  explicit PlacementBuilder(const Engine& engine) : engine_(engine) {}
  // Loads (and keeps) the dataset of the request; the number of positions of `example`.
  int positionCount(const PlacementRequest& request);
  PlacementDetails build(const PlacementRequest& request);

private:
  const std::vector<RetrievalExample>& examples(const SweepSettings& settings);

  const Engine& engine_;
  std::string loadedPath_;
  std::shared_ptr<std::vector<RetrievalExample>> examples_;
};

} // namespace poslab
