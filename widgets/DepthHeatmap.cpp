#include "widgets/DepthHeatmap.h"

#include "widgets/MatrixHeatmap.h"

#include <QVBoxLayout>
#include <limits>

namespace poslab {

DepthHeatmap::DepthHeatmap(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  heatmap_ = new MatrixHeatmap(this);
  heatmap_->setObjectName("depthHeatmap");
  heatmap_->setExportName(QStringLiteral("depth"),
                          QStringLiteral("Accuracy by gold position and number of documents"));
  layout->addWidget(heatmap_);
  setMinimumSize(300, 240);
  setGrid(DepthGrid{});
}

void DepthHeatmap::setGrid(const DepthGrid& grid) {
  grid_ = grid;
  if (grid_.cells.size() != grid_.documentCounts.size() * grid_.maxPositions) grid_ = DepthGrid{};
  HeatmapMatrix m;
  m.rows = grid_.maxPositions;
  m.columns = grid_.documentCounts.size();
  m.values.fill(std::numeric_limits<double>::quiet_NaN(), m.rows * m.columns);
  QStringList notes(m.rows * m.columns);
  for (int c = 0; c < m.columns; ++c) {
    m.columnLabels << QString::number(grid_.documentCounts[c]);
    for (int p = 0; p < m.rows; ++p) {
      const DepthCell& cell = grid_.cell(c, p);
      if (cell.n == 0) continue;
      m.values[p * m.columns + c] = cell.accuracy * 100;
      notes[p * m.columns + c] = tr("%1 of %2 correct").arg(cell.correct).arg(cell.n);
    }
  }
  m.rowTitle = tr("Position of the gold document (1 = first)");
  m.columnTitle = tr("Documents in the prompt");
  m.valueTitle = tr("Accuracy (%)");
  m.minimum = 0.0;
  m.maximum = 100.0;
  m.rowsTopToBottom = true;
  m.valueDecimals = 0;
  heatmap_->setCellNotes(notes);
  heatmap_->setMatrix(m);
}

QCustomPlot* DepthHeatmap::customPlot() const {
  return heatmap_->customPlot();
}

PlotData DepthHeatmap::plotData() const {
  PlotData table;
  table.name = QStringLiteral("depth");
  table.description = QStringLiteral("Accuracy by number of documents and gold position (1-based)");
  table.columns = {"documents", "position", "n", "correct", "accuracy"};
  for (int c = 0; c < grid_.documentCounts.size(); ++c)
    for (int p = 0; p < grid_.maxPositions; ++p) {
      const DepthCell& cell = grid_.cell(c, p);
      if (cell.n > 0)
        table.rows.push_back({grid_.documentCounts[c], p + 1, cell.n, cell.correct, cell.accuracy});
    }
  return table;
}

} // namespace poslab
