#pragma once
// Attention mass per document for every gold position over a dataset (Pos2Distill
// Fig. 7): one row per gold position (1 at the top), one column per document, the
// gold document of each row outlined, so a model that follows the gold shows a diagonal.
#include "widgets/AttentionMassMatrix.h"
#include "widgets/ExportablePlot.h"

#include <QWidget>

namespace poslab {

class MatrixHeatmap;

class AttentionMassHeatmap : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit AttentionMassHeatmap(QWidget* parent = nullptr);

  void setMatrix(const AttentionMassMatrix& matrix);
  const AttentionMassMatrix& matrix() const { return matrix_; }
  MatrixHeatmap* heatmap() const { return heatmap_; }

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

private:
  AttentionMassMatrix matrix_;
  MatrixHeatmap* heatmap_ = nullptr;
};

} // namespace poslab
