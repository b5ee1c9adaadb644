#pragma once
// Held-out accuracy by gold position over training: one curve per evaluated
// step, the base model (step 0) dashed grey, later steps from light to dark in
// viridis (a colour scale says which step) so the eye follows the middle of the
// curve rising. Positions are 1-based on the axis, as papers label them.
#include "widgets/EvalCurve.h"
#include "widgets/ExportablePlot.h"

#include <QColor>
#include <QWidget>

class QCPColorScale;

namespace poslab {

class EvalCurvesPlot : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit EvalCurvesPlot(QWidget* parent = nullptr);
  ~EvalCurvesPlot() override;

  void setCurves(const QVector<EvalCurve>& curves);
  // What a position is, for the x axis's title: the gold document's place
  // (default), or a two-hop run's hop pair (hop 1 at p, hop 2 at p + 1).
  void setHopPairs(bool hopPairs);
  QString positionTitle() const;
  const QVector<EvalCurve>& curves() const { return curves_; }
  // Read back after a redraw: the graphs' names and (position, %) points.
  QStringList drawnNames() const;
  QVector<QPointF> drawnCurve(int index) const;
  QColor drawnColor(int index) const;

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

protected:
  void changeEvent(QEvent* event) override;

private:
  void redraw();
  static QString positionTitle(bool hopPairs);
  // The colour of a step at `fraction` of the last evaluated step, on a dark or light plot.
  static QColor stepColor(double fraction, bool dark);

  QVector<EvalCurve> curves_;
  QCustomPlot* plot_ = nullptr;
  QCPColorScale* scale_ = nullptr;
};

} // namespace poslab
