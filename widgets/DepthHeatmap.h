#pragma once
// Accuracy over gold position × number of documents ("needle in a haystack" style):
// columns are context lengths, rows gold positions (1 at the top), cells annotated
// with the accuracy when the grid is small; positions a context does not have are blank.
#include "widgets/DepthGrid.h"
#include "widgets/ExportablePlot.h"

#include <QWidget>

namespace poslab {

class MatrixHeatmap;

class DepthHeatmap : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit DepthHeatmap(QWidget* parent = nullptr);

  void setGrid(const DepthGrid& grid);
  const DepthGrid& grid() const { return grid_; }
  MatrixHeatmap* heatmap() const { return heatmap_; }

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

private:
  DepthGrid grid_;
  MatrixHeatmap* heatmap_ = nullptr;
};

} // namespace poslab
