#pragma once
// core's ModelInfo as the model panel's plain ModelSummary (app/ joins core/
// and widgets/): for the estimate before loading and for the loaded model.
#include "core/engine/ModelInfo.h"
#include "widgets/ModelSummary.h"

namespace poslab {

class ModelSummaries {
public:
  // loaded: false for an estimate from the config (Engine::inspect), weights not in memory.
  static ModelSummary fromInfo(const ModelInfo& info, bool loaded);
};

} // namespace poslab
