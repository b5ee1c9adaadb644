#pragma once
// core's sweep aggregates as the sweep plot's plain curves (app/ joins core/
// and widgets/): live from a SweepSummary, or from a run folder's summary.json
// when a finished run is reopened.
#include "core/sweep/SweepSummary.h"
#include "widgets/SweepCurve.h"

#include <QString>

namespace poslab {

class SweepCurves {
public:
  static SweepPoint point(const PositionSummary& row);
  static SweepCurve fromSummary(const QString& label, const SweepSummary& summary);
  // <runDir>/summary.json; nullopt with `error` set when it is missing or malformed.
  static std::optional<SweepCurve> fromRunFolder(const QString& runDir, QString* error = nullptr);
};

} // namespace poslab
