#include "widgets/EvalCurvesPlot.h"

#include "widgets/PlotTheme.h"

#include <QEvent>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace poslab {

EvalCurvesPlot::EvalCurvesPlot(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  plot_ = new QCustomPlot(this);
  plot_->setMinimumHeight(150);
  plot_->xAxis->setLabel(tr("gold document position"));
  plot_->yAxis->setLabel(tr("held-out accuracy (%)"));
  plot_->legend->setVisible(true);
  // Along the bottom, in rows of four: the middle of a U-shaped curve dips, but
  // rarely below 30 %, and a growing list of steps must not cover the curves.
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignHCenter);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->legend->setWrap(4);
  layout->addWidget(plot_);
  PlotTheme::apply(plot_, palette());
  redraw();
}

EvalCurvesPlot::~EvalCurvesPlot() = default;

QCustomPlot* EvalCurvesPlot::customPlot() const {
  return plot_;
}

void EvalCurvesPlot::setCurves(const QVector<EvalCurve>& curves) {
  curves_ = curves;
  redraw();
}

void EvalCurvesPlot::redraw() {
  plot_->clearGraphs();
  QCPColorGradient gradient = PlotTheme::viridis();
  long long lastStep = 1;
  for (const EvalCurve& c : curves_)
    lastStep = std::max(lastStep, c.step);
  int maxPosition = 1;
  for (const EvalCurve& c : curves_) {
    QCPGraph* g = plot_->addGraph();
    QVector<double> x, y;
    for (int i = 0; i < c.positions.size() && i < c.accuracy.size(); ++i) {
      x.push_back(c.positions[i] + 1);
      y.push_back(100.0 * c.accuracy[i]);
      maxPosition = std::max(maxPosition, c.positions[i] + 1);
    }
    g->setData(x, y);
    g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    if (c.step == 0) {
      g->setName(tr("base (step 0)"));
      g->setPen(QPen(palette().color(QPalette::Mid), 2, Qt::DashLine));
    } else {
      g->setName(tr("step %1").arg(c.step));
      // Light (early) to dark (late); the top of viridis is too pale on white.
      const double t = 0.85 * (1.0 - static_cast<double>(c.step) / static_cast<double>(lastStep));
      g->setPen(QPen(QColor(gradient.color(t, QCPRange(0, 1))), 2));
    }
  }
  plot_->xAxis->setRange(0.5, maxPosition + 0.5);
  plot_->yAxis->setRange(0, 100);
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QStringList EvalCurvesPlot::drawnNames() const {
  QStringList names;
  for (int i = 0; i < plot_->graphCount(); ++i)
    names << plot_->graph(i)->name();
  return names;
}

QVector<QPointF> EvalCurvesPlot::drawnCurve(int index) const {
  QVector<QPointF> points;
  if (index < 0 || index >= plot_->graphCount()) return points;
  const auto graphData = plot_->graph(index)->data();
  for (auto it = graphData->constBegin(); it != graphData->constEnd(); ++it)
    points.push_back({it->key, it->value});
  return points;
}

PlotData EvalCurvesPlot::plotData() const {
  PlotData d;
  d.name = QStringLiteral("heldout_accuracy_by_step");
  d.description =
      tr("held-out accuracy at one gold position (1-based) after a number of training steps (0 = base)");
  d.columns = {QStringLiteral("step"), QStringLiteral("position"), QStringLiteral("n"),
               QStringLiteral("accuracy")};
  for (const EvalCurve& c : curves_)
    for (int i = 0; i < c.positions.size() && i < c.accuracy.size(); ++i)
      d.rows.push_back({QVariant(c.step), QVariant(c.positions[i] + 1),
                        QVariant(i < c.n.size() ? c.n[i] : 0LL), QVariant(c.accuracy[i])});
  return d;
}

void EvalCurvesPlot::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && plot_) {
    PlotTheme::apply(plot_, palette());
    redraw();
  }
}

} // namespace poslab
