#pragma once
// One aggregate (attention mass per document × gold position, Pos2Distill
// Fig. 7) with everything needed to trust or redo it: the query and settings it
// was computed with, the model and data with their fingerprints, whether it ran
// to the end. What AggregateStore writes to <workspace>/aggregates/<id>/aggregate.json.
#include "widgets/AttentionGrid.h"
#include "widgets/AttentionMassGrid.h"

#include <QDateTime>
#include <QString>
#include <nlohmann/json.hpp>

namespace poslab {

struct SavedAggregate {
  QString id; // the folder under <workspace>/aggregates; "" until saved
  AttentionMassGrid grid;
  bool complete = false; // false: cancelled, the grid holds the examples done
  QuerySelection query = QuerySelection::LastToken;
  int examples = 0;                                   // requested: the first N examples (0 = all)
  nlohmann::json settings = nlohmann::json::object(); // SweepSettings::toJson() of the request
  QString modelPath, device, dtype, modelFingerprint;
  QString dataPath, dataFingerprint;
  QString fingerprintError; // why a fingerprint is empty ("" when both are there)
  QString version;          // PosLab's
  QDateTime started, finished;
};

} // namespace poslab
