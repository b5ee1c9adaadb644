#pragma once
// The numbers behind the sweep plot as text, independent of drawing: the exported
// table (PlotData) and the hover summary of one position.
#include "widgets/PairedComparison.h"
#include "widgets/PlotData.h"
#include "widgets/SweepCurve.h"

#include <QColor>
#include <QCoreApplication>
#include <optional>
#include <vector>

namespace poslab {

class SweepTable {
  Q_DECLARE_TR_FUNCTIONS(SweepTable)
public:
  struct ShownCurve {
    const SweepCurve* curve;
    QColor color;
  };

  // One row per run and position (1-based, as plotted), one per baseline, one per McNemar test.
  static PlotData plotData(const std::vector<const SweepCurve*>& curves,
                           const std::optional<PairedComparison>& comparison);
  // HTML for a tooltip: each curve's accuracy, interval, counts and log-prob at the
  // 0-based `position`, and the paired test there. Empty when no curve has that position.
  static QString positionSummary(int position, const std::vector<ShownCurve>& curves,
                                 const std::optional<PairedComparison>& comparison);

  static std::vector<SweepPoint> sortedPoints(const SweepCurve& curve);
  static const SweepPoint* pointAt(const SweepCurve& curve, int position);
};

} // namespace poslab
