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
  plot_->xAxis->setLabel(positionTitle(false));
  plot_->yAxis->setLabel(tr("held-out accuracy (%)"));
  // The steps are told by colour, on a scale beside the axes: a legend entry per
  // evaluation would cover the curves once a run has evaluated a dozen times.
  // The legend names the base alone.
  scale_ = new QCPColorScale(plot_);
  plot_->plotLayout()->addElement(0, 1, scale_);
  scale_->setType(QCPAxis::atRight);
  scale_->axis()->setLabel(tr("step"));
  scale_->setBarWidth(10);
  auto* margins = new QCPMarginGroup(plot_);
  plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
  plot_->legend->setVisible(true);
  plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
  layout->addWidget(plot_);
  PlotTheme::apply(plot_, palette());
  PlotTheme::applyToColorScale(scale_, palette());
  redraw();
}

EvalCurvesPlot::~EvalCurvesPlot() = default;

QString EvalCurvesPlot::positionTitle() const {
  return plot_->xAxis->label();
}

QString EvalCurvesPlot::positionTitle(bool hopPairs) {
  return hopPairs ? tr("hop pair place (hop 1 at p, hop 2 at p + 1)") : tr("gold document position");
}

void EvalCurvesPlot::setHopPairs(bool hopPairs) {
  const QString title = positionTitle(hopPairs);
  if (plot_->xAxis->label() == title) return;
  plot_->xAxis->setLabel(title);
  plot_->replot();
}

QColor EvalCurvesPlot::stepColor(double fraction, bool dark) {
  // The latest step stands out most: dark on a light plot (viridis read
  // backwards, short of its top, too pale on white), bright on a dark one
  // (viridis forwards, short of its bottom, too dark on grey).
  QCPColorGradient viridis = PlotTheme::viridis();
  const double t = dark ? 0.15 + 0.85 * fraction : 0.85 * (1.0 - fraction);
  return QColor(viridis.color(t, QCPRange(0, 1)));
}

QCustomPlot* EvalCurvesPlot::customPlot() const {
  return plot_;
}

void EvalCurvesPlot::setCurves(const QVector<EvalCurve>& curves) {
  curves_ = curves;
  redraw();
}

void EvalCurvesPlot::redraw() {
  plot_->clearGraphs();
  const bool dark = PlotTheme::isDark(palette());
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
      g->setPen(QPen(stepColor(static_cast<double>(c.step) / static_cast<double>(lastStep), dark), 2));
      g->removeFromLegend();
    }
  }
  QCPColorGradient steps;
  steps.clearColorStops();
  for (int i = 0; i <= 10; ++i)
    steps.setColorStopAt(i / 10.0, stepColor(i / 10.0, dark));
  scale_->setGradient(steps);
  scale_->setDataRange(QCPRange(0, static_cast<double>(lastStep)));
  scale_->setVisible(curves_.size() > 1);
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

QColor EvalCurvesPlot::drawnColor(int index) const {
  return index >= 0 && index < plot_->graphCount() ? plot_->graph(index)->pen().color() : QColor();
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
