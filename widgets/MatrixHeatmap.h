#pragma once
// A labelled matrix as a colour map (QCPColorMap) with a colour scale in viridis:
// the building block of the attention, token, attention-mass and depth heatmaps.
// Hovering a cell shows its labels and value; clicking emits cellClicked.
#include "widgets/ExportablePlot.h"
#include "widgets/HeatmapMatrix.h"

#include <QWidget>

class QCPColorMap;
class QCPColorScale;
class QMouseEvent;

namespace poslab {

class MatrixHeatmap : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit MatrixHeatmap(QWidget* parent = nullptr);
  ~MatrixHeatmap() override;

  void setMatrix(const HeatmapMatrix& matrix);
  const HeatmapMatrix& matrix() const { return matrix_; }
  // Name and description of the exported table (PlotData).
  void setExportName(const QString& name, const QString& description);
  // Per-cell tooltip lines added after the value, e.g. "n = 500" (index: row * columns + column).
  void setCellNotes(const QStringList& notes);

  // Read back from the colour map: the value drawn in a cell, and the colour scale's range.
  double drawnCell(int row, int column) const;
  QSize drawnSize() const; // (columns, rows) of the colour map's data
  double colorRangeLower() const;
  double colorRangeUpper() const;
  QCPColorScale* colorScale() const { return scale_; }
  // Where a cell's centre is drawn, in the plot widget's pixels (after a replot).
  QPoint cellCentre(int row, int column) const;
  QWidget* plotWidget() const;

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

Q_SIGNALS:
  void cellClicked(int row, int column);

protected:
  void changeEvent(QEvent* event) override;

private:
  bool cellAt(const QPointF& pixel, int* row, int* column) const;
  void showCellToolTip(QMouseEvent* event);
  void redraw();

  QCustomPlot* plot_ = nullptr;
  QCPColorMap* map_ = nullptr;
  QCPColorScale* scale_ = nullptr;
  HeatmapMatrix matrix_;
  QStringList notes_;
  QString exportName_ = QStringLiteral("heatmap");
  QString exportDescription_;
};

} // namespace poslab
