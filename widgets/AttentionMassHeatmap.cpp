#include "widgets/AttentionMassHeatmap.h"

#include "widgets/MatrixHeatmap.h"

#include <QVBoxLayout>

namespace poslab {

AttentionMassHeatmap::AttentionMassHeatmap(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  heatmap_ = new MatrixHeatmap(this);
  heatmap_->setObjectName("attentionMassHeatmap");
  layout->addWidget(heatmap_);
  setMinimumSize(300, 240);
  setMatrix(AttentionMassMatrix{});
}

void AttentionMassHeatmap::setMatrix(const AttentionMassMatrix& matrix) {
  matrix_ = matrix;
  if (matrix_.mass.size() != matrix_.documents * matrix_.goldPositions) matrix_ = AttentionMassMatrix{};
  HeatmapMatrix m;
  m.rows = matrix_.goldPositions;
  m.columns = matrix_.documents;
  for (int g = 0; g < m.rows; ++g) {
    for (int d = 0; d < m.columns; ++d)
      m.values << matrix_.at(d, g);
    if (g < m.columns) m.highlightCells << QPoint(g, g);
  }
  m.rowTitle = tr("Position of the gold document");
  m.columnTitle = tr("Document (1 = first in the prompt)");
  m.valueTitle = matrix_.description.isEmpty() ? tr("Attention share")
                                               : tr("Attention share (%1)").arg(matrix_.description);
  m.minimum = 0.0;
  m.rowsTopToBottom = true;
  heatmap_->setExportName(QStringLiteral("attention_mass"),
                          QStringLiteral("Mean attention share per document for each gold position (%1)")
                              .arg(matrix_.description));
  heatmap_->setMatrix(m);
}

QCustomPlot* AttentionMassHeatmap::customPlot() const {
  return heatmap_->customPlot();
}

PlotData AttentionMassHeatmap::plotData() const {
  PlotData table;
  table.name = QStringLiteral("attention_mass");
  table.description =
      QStringLiteral("Mean attention share per document (1-based) for each gold position (1-based); %1")
          .arg(matrix_.description);
  table.columns = {"gold_position", "document", "is_gold", "attention"};
  for (int g = 0; g < matrix_.goldPositions; ++g)
    for (int d = 0; d < matrix_.documents; ++d)
      table.rows.push_back({g + 1, d + 1, d == g, double(matrix_.at(d, g))});
  return table;
}

} // namespace poslab
