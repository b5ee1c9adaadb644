#pragma once
// One (example, gold position) analysed for the explorer: the prompt the sweep
// would build, the model's greedy answer and its score, and where attention
// went (core/attention), turned into the explorer's plain PlacementDetails.
// Runs on the engine's worker thread.
#include "core/sweep/SweepSettings.h"
#include "widgets/AttentionMassGrid.h"
#include "widgets/HeatmapMatrix.h"
#include "widgets/PlacementDetails.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace poslab {

class AttentionStudy;
class Engine;
struct AttentionStudySettings;
struct RetrievalExample;

struct PlacementRequest {
  SweepSettings settings; // data path, docs, template: as the sweep resolves them
  int example = 0;
  int position = 0;
  QuerySelection query = QuerySelection::LastToken;
  // Names the result: differs whenever any setting, the example, position or query does.
  QString key() const;
};

class PlacementBuilder {
public:
  explicit PlacementBuilder(const Engine& engine) : engine_(engine) {}
  // Loads (and keeps) the dataset of the request; the number of positions of `example`.
  int positionCount(const PlacementRequest& request);
  PlacementDetails build(const PlacementRequest& request);
  // The token-level attention of one layer for the request's query rows: one
  // head, or the heads' mean or max (one forward per head: core captures one
  // head's token matrix at a time). `cancel` is checked between heads.
  HeatmapMatrix tokenMap(const PlacementRequest& request, int layer, HeadReduction heads,
                         const std::function<bool()>& cancelled = {});
  // Attention mass per document × gold position over the first `examples`
  // examples (0 = all; Pos2Distill Fig. 7), averaged over layers and heads.
  // progress(done, total) after each prompt; a set cancel flag stops between
  // prompts and the partial mean is returned (*complete false).
  AttentionMassGrid aggregate(const SweepSettings& settings, int examples, QuerySelection query,
                              const std::function<void(int done, int total)>& progress,
                              const std::atomic<bool>* cancel, bool* complete);

private:
  const std::vector<RetrievalExample>& examples(const SweepSettings& settings);
  SweepSettings resolved(const SweepSettings& settings) const;
  AttentionStudy study(const SweepSettings& resolved, const RetrievalExample& example,
                       QuerySelection query) const;

  const Engine& engine_;
  std::string loadedKey_; // the data settings examples_ was loaded with
  std::shared_ptr<std::vector<RetrievalExample>> examples_;
};

} // namespace poslab
