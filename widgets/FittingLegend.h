#pragma once
// A legend laid out in as many columns as fit the plot's width, re-fitted on every
// layout: a wide window gets one row, a narrow export several, and no entry is cut.
// Internal to widgets/: includes qcustomplot.h, so only widgets' .cpp files use it.
#include <qcustomplot.h>

namespace poslab {

class FittingLegend : public QCPLegend {
public:
  void update(UpdatePhase phase) override;
  // As wide as the plot allows, even empty: an empty grid's hint is a few pixels, and
  // the plot's column would shrink to it, squeezing the axis rect below it.
  QSize maximumOuterSizeHint() const override;

private:
  int columnsThatFit(int width) const;
};

} // namespace poslab
