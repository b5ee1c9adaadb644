#pragma once
// A labelled matrix for MatrixHeatmap: attention layers × documents, tokens × tokens,
// documents × gold positions, positions × context lengths. NaN cells are "no data".
#include <QMetaType>
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>

namespace poslab {

struct HeatmapMatrix {
  int rows = 0;           // drawn bottom to top (row 0 at the bottom, like a y axis)
  int columns = 0;        // drawn left to right
  QVector<double> values; // values[row * columns + column]
  QStringList rowLabels;  // tick labels; empty: 1-based numbers
  QStringList columnLabels;
  QString rowTitle;              // y axis title
  QString columnTitle;           // x axis title
  QString valueTitle;            // colour scale title
  std::optional<double> minimum; // fixed colour range (e.g. accuracy 0..1); unset: the data's range
  std::optional<double> maximum;
  int highlightColumn = -1;       // outlined column (the gold document)
  QString highlightLabel;         // written above the outlined column ("gold")
  QVector<QPoint> highlightCells; // outlined cells, QPoint(column, row)
  bool rowsTopToBottom = false;   // row 0 at the top (a matrix) instead of the bottom (an axis)
  int valueDecimals = -1;         // >= 0: every cell shows its value (small matrices only)

  double at(int row, int column) const { return values[row * columns + column]; }
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::HeatmapMatrix)
