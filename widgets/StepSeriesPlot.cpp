#include "widgets/StepSeriesPlot.h"

#include "widgets/PlotTheme.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace poslab {

namespace {

constexpr int kMinReplotIntervalMs = 100;

} // namespace

StepSeriesPlot::StepSeriesPlot(const QString& name, QWidget* parent) : QWidget(parent), name_(name) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* controls = new QHBoxLayout;
  smoothingTitle_ = new QLabel(tr("Smoothing"), this);
  controls->addWidget(smoothingTitle_);
  smoothing_ = new QSlider(Qt::Horizontal, this);
  smoothing_->setRange(0, 99);
  smoothing_->setValue(60); // TensorBoard's default 0.6
  smoothing_->setMaximumWidth(160);
  smoothing_->setToolTip(
      tr("Exponential moving average weight (debiased, as TensorBoard's); the raw values stay "
         "drawn faint"));
  controls->addWidget(smoothing_);
  smoothingLabel_ = new QLabel(this);
  smoothingLabel_->setMinimumWidth(smoothingLabel_->fontMetrics().horizontalAdvance(QStringLiteral("0.00")));
  controls->addWidget(smoothingLabel_);
  log_ = new QCheckBox(tr("Log y"), this);
  log_->setToolTip(tr("Logarithmic value axis (values <= 0 are left out)"));
  controls->addWidget(log_);
  controls->addStretch();
  layout->addLayout(controls);

  plot_ = new QCustomPlot(this);
  plot_->setMinimumHeight(120);
  raw_ = plot_->addGraph();
  smooth_ = plot_->addGraph();
  raw_->setName(tr("%1 (raw)").arg(name_));
  smooth_->setName(tr("%1 (smoothed)").arg(name_));
  plot_->xAxis->setLabel(tr("step"));
  plot_->yAxis->setLabel(name_);
  layout->addWidget(plot_, 1);
  PlotTheme::apply(plot_, palette());

  redrawTimer_ = new QTimer(this);
  redrawTimer_->setSingleShot(true);
  redrawTimer_->setInterval(kMinReplotIntervalMs);
  connect(redrawTimer_, &QTimer::timeout, this, &StepSeriesPlot::redraw);
  connect(smoothing_, &QSlider::valueChanged, this, &StepSeriesPlot::redraw);
  connect(log_, &QCheckBox::toggled, this, &StepSeriesPlot::redraw);
  redraw();
}

StepSeriesPlot::~StepSeriesPlot() = default;

QCustomPlot* StepSeriesPlot::customPlot() const {
  return plot_;
}

void StepSeriesPlot::setSeries(const QVector<double>& steps, const QVector<double>& values) {
  steps_ = steps;
  values_ = values;
  values_.resize(steps_.size());
  scheduleRedraw();
}

double StepSeriesPlot::smoothing() const {
  return smoothing_->value() / 100.0;
}
void StepSeriesPlot::setSmoothing(double weight) {
  smoothing_->setValue(static_cast<int>(std::lround(weight * 100)));
}
void StepSeriesPlot::setSmoothingShown(bool shown) {
  for (QWidget* w : std::initializer_list<QWidget*>{smoothingTitle_, smoothing_, smoothingLabel_})
    w->setVisible(shown);
}

bool StepSeriesPlot::logScale() const {
  return log_->isChecked();
}
void StepSeriesPlot::setLogScale(bool on) {
  log_->setChecked(on);
}

QVector<double> StepSeriesPlot::smoothed(const QVector<double>& values, double weight) {
  QVector<double> out;
  out.reserve(values.size());
  double last = 0;
  int n = 0;
  for (double v : values) {
    if (!std::isfinite(v)) { // a gap stays a gap and does not poison what follows
      out.push_back(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    ++n;
    const double debias = weight == 0 ? 1.0 : 1.0 - std::pow(weight, n);
    out.push_back(last / debias);
  }
  return out;
}

void StepSeriesPlot::scheduleRedraw() {
  if (!redrawTimer_->isActive()) redrawTimer_->start();
}

void StepSeriesPlot::redraw() {
  smoothingLabel_->setText(QString::number(smoothing(), 'f', 2));
  const QVector<double> smooth = smoothed(values_, smoothing());
  raw_->setData(steps_, values_, true);
  smooth_->setData(steps_, smooth, true);
  const QColor line = PlotTheme::runColor(0);
  QColor faint = line;
  faint.setAlphaF(0.3);
  raw_->setPen(QPen(faint, 1));
  smooth_->setPen(QPen(line, 2));
  if (logScale()) {
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    plot_->yAxis->setNumberFormat(QStringLiteral("eb"));
    plot_->yAxis->setNumberPrecision(0);
  } else {
    plot_->yAxis->setScaleType(QCPAxis::stLinear);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    plot_->yAxis->setNumberFormat(QStringLiteral("gb"));
    plot_->yAxis->setNumberPrecision(6);
  }
  if (steps_.isEmpty()) {
    plot_->xAxis->setRange(0, 1);
    plot_->yAxis->setRange(logScale() ? 1e-3 : 0, 1);
  } else {
    bool found = false;
    const QCPRange x = raw_->getKeyRange(found);
    plot_->xAxis->setRange(x.lower, std::max(x.upper, x.lower + 1));
    // The log axis leaves out values <= 0 (a loss of exactly 0 cannot be drawn there).
    const QCPRange y = raw_->getValueRange(found, QCP::sdBoth, QCPRange());
    if (found) {
      const double pad = logScale() ? 0 : 0.05 * std::max(y.size(), 1e-12);
      plot_->yAxis->setRange(logScale() ? y.lower / 1.5 : y.lower - pad,
                             logScale() ? y.upper * 1.5 : y.upper + pad);
    }
  }
  plot_->replot(QCustomPlot::rpQueuedReplot);
}

QVector<double> StepSeriesPlot::drawnRaw() const {
  QVector<double> out;
  for (auto it = raw_->data()->constBegin(); it != raw_->data()->constEnd(); ++it)
    out.push_back(it->value);
  return out;
}

QVector<double> StepSeriesPlot::drawnSmoothed() const {
  QVector<double> out;
  for (auto it = smooth_->data()->constBegin(); it != smooth_->data()->constEnd(); ++it)
    out.push_back(it->value);
  return out;
}

bool StepSeriesPlot::drawnLogAxis() const {
  return plot_->yAxis->scaleType() == QCPAxis::stLogarithmic;
}

QPair<double, double> StepSeriesPlot::drawnValueRange() const {
  return {plot_->yAxis->range().lower, plot_->yAxis->range().upper};
}

PlotData StepSeriesPlot::plotData() const {
  PlotData d;
  d.name = name_;
  d.name.replace(QLatin1Char(' '), QLatin1Char('_'));
  d.description =
      tr("%1 per training step, raw and smoothed (debiased EMA, weight %2)").arg(name_).arg(smoothing());
  d.columns = {QStringLiteral("step"), name_, name_ + QStringLiteral(" (smoothed)")};
  const QVector<double> smooth = smoothed(values_, smoothing());
  for (int i = 0; i < steps_.size(); ++i)
    d.rows.push_back(
        {QVariant(static_cast<qlonglong>(steps_[i])), QVariant(values_[i]), QVariant(smooth[i])});
  return d;
}

void StepSeriesPlot::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && plot_) {
    PlotTheme::apply(plot_, palette());
    redraw();
  }
}

} // namespace poslab
