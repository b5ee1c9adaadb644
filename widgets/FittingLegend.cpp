#include "widgets/FittingLegend.h"

namespace poslab {

void FittingLegend::update(UpdatePhase phase) {
  // Before sizes are computed: the viewport is known, the legend's own rect is not yet.
  if (phase == upPreparation && mParentPlot) {
    const int columns =
        columnsThatFit(mParentPlot->viewport().width() - margins().left() - margins().right() - 8);
    if (columns != wrap() || fillOrder() != foColumnsFirst) {
      setWrap(columns);
      setFillOrder(foColumnsFirst, true); // setWrap alone does not move the entries
    }
  }
  QCPLegend::update(phase);
}

QSize FittingLegend::maximumOuterSizeHint() const {
  QSize hint = QCPLegend::maximumOuterSizeHint();
  hint.setWidth(QWIDGETSIZE_MAX);
  return hint;
}

int FittingLegend::columnsThatFit(int width) const {
  QVector<int> widths;
  for (int i = 0; i < itemCount(); ++i)
    if (QCPAbstractLegendItem* entry = item(i); entry && entry->visible())
      widths << entry->minimumOuterSizeHint().width();
  if (widths.isEmpty()) return 1;
  for (int columns = int(widths.size()); columns > 1; --columns) {
    int total = (columns - 1) * columnSpacing();
    for (int c = 0; c < columns; ++c) {
      int widest = 0;
      for (int i = c; i < widths.size(); i += columns)
        widest = std::max(widest, widths[i]);
      total += widest;
    }
    if (total <= width) return columns;
  }
  return 1;
}

} // namespace poslab
