#pragma once
// Where one prompt's attention went: layers × documents as a heatmap (viridis, colour
// scale, gold column outlined) with a head selector (mean, max, one head) and a query
// selector (last prompt token, question, answer tokens). The heads are reduced here;
// a different query needs a different grid, so the query selector only asks for one
// (queryChanged) and the owner answers with setGrid. A token-level map for one layer
// is asked for the same way (tokenMapRequested).
#include "widgets/AttentionGrid.h"
#include "widgets/ExportablePlot.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace poslab {

class MatrixHeatmap;

class AttentionHeatmap : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit AttentionHeatmap(QWidget* parent = nullptr);

  void setGrid(const AttentionGrid& grid);
  const AttentionGrid& grid() const { return grid_; }
  HeadSelection headSelection() const { return selection_; }
  AttentionQuery query() const;
  // Mean over layers of the selected heads' attention per document (for AttentionBars).
  QVector<double> documentMass() const;
  MatrixHeatmap* heatmap() const { return heatmap_; }

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

public Q_SLOTS:
  void setHeadSelection(const poslab::HeadSelection& selection);
  void setQuery(poslab::AttentionQuery query);

Q_SIGNALS:
  void headSelectionChanged(const poslab::HeadSelection& selection);
  void queryChanged(poslab::AttentionQuery query);
  void tokenMapRequested(int layer, const poslab::HeadSelection& selection, poslab::AttentionQuery query);

private:
  void fillHeadCombo();
  void redraw();

  AttentionGrid grid_;
  HeadSelection selection_;
  QComboBox* headCombo_ = nullptr;
  QComboBox* queryCombo_ = nullptr;
  QSpinBox* tokenLayer_ = nullptr;
  QPushButton* tokenButton_ = nullptr;
  QLabel* sinkLabel_ = nullptr;
  MatrixHeatmap* heatmap_ = nullptr;
};

} // namespace poslab
