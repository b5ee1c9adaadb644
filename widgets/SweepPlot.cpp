#include "widgets/SweepPlot.h"

#include "widgets/AccuracyTicker.h"
#include "widgets/FittingLegend.h"
#include "widgets/PlotTheme.h"
#include "widgets/SweepTable.h"

#include <QEvent>
#include <QLabel>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace poslab {

namespace {

// Runs drawn side by side at one position are shifted by this much (in positions) so
// their error bars do not hide each other.
constexpr double kDodge = 0.1;
// Stars sit this many percentage points above the higher interval of the two runs.
constexpr double kMarkerLift = 4.0;

QString percent(double fraction) {
  return QString::number(fraction * 100, 'f', 1);
}

} // namespace

SweepPlot::SweepPlot(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);

  // The plot's own legend is the only one: it is what an exported figure shows, and
  // clicking an entry hides or shows that run (SweepPanel's run list adds and removes runs).
  emptyHint_ = new QLabel(tr("No runs yet: start a sweep or tick a run in the workspace"), this);
  emptyHint_->setObjectName("noRunsLabel");
  emptyHint_->setContentsMargins(8, 4, 8, 0);
  emptyHint_->setToolTip(tr("Runs appear in the plot's legend as they are added"));
  layout->addWidget(emptyHint_);

  plot_ = new QCustomPlot(this);
  plot_->setObjectName("sweepPlot");
  plot_->setToolTip(tr("Accuracy per gold position; hover a position for its numbers"));
  plot_->setMinimumSize(360, 260);
  layout->addWidget(plot_, 1);

  // Legend in its own row above the plot: it never covers data. Its columns follow the
  // width (FittingLegend), so long run names wrap instead of being cut in an export.
  accuracyRect_ = plot_->axisRect();
  delete plot_->legend; // the default one, inset into the axis rect
  plot_->legend = new FittingLegend;
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, plot_->legend);
  plot_->legend->setLayer(QStringLiteral("legend"));
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  plot_->plotLayout()->setRowStretchFactor(1, 3);
  plot_->legend->setVisible(true);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->legend->setSelectableParts(QCPLegend::spNone);
  plot_->legend->setMargins(QMargins(4, 2, 4, 2));
  plot_->legend->setColumnSpacing(16);

  logprobRect_ = new QCPAxisRect(plot_); // shown (added to the layout) only when a run has log-probs
  auto* margins = new QCPMarginGroup(plot_);
  for (QCPAxisRect* rect : {accuracyRect_, logprobRect_}) {
    rect->setMarginGroup(QCP::msLeft, margins);
    rect->setupFullAxesBox(false);
    for (QCPAxis* axis : {rect->axis(QCPAxis::atTop), rect->axis(QCPAxis::atRight)}) {
      axis->setTickLabels(false);
      axis->setTicks(false);
    }
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    rect->axis(QCPAxis::atBottom)->setTicker(ticker);
    rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
  }
  logprobRect_->setVisible(false);
  logprobRect_->axis(QCPAxis::atLeft)->ticker()->setTickCount(3); // a short panel: few labels
  accuracyRect_->axis(QCPAxis::atLeft)->setLabel(tr("Accuracy (%)"));
  accuracyRect_->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTicker>(new AccuracyTicker));
  logprobRect_->axis(QCPAxis::atLeft)->setLabel(tr("Mean answer\nlog-prob"));
  positionTitle_ = positionTitle(false);
  accuracyRect_->axis(QCPAxis::atBottom)->setLabel(positionTitle_);
  logprobRect_->axis(QCPAxis::atBottom)->setLabel(positionTitle_);
  connect(accuracyRect_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
          logprobRect_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));

  connect(plot_, &QCustomPlot::mouseMove, this, &SweepPlot::showPointToolTip);
  connect(plot_, &QCustomPlot::legendClick, this,
          [this](QCPLegend*, QCPAbstractLegendItem* item, QMouseEvent*) {
            if (auto* entry = qobject_cast<QCPPlottableLegendItem*>(item)) {
              const QString run = entry->plottable()->property("run").toString();
              if (!run.isEmpty()) setRunVisible(run, !isRunVisible(run));
            }
          });

  replotTimer_ = new QTimer(this);
  replotTimer_->setSingleShot(true);
  replotTimer_->setInterval(kMinReplotIntervalMs);
  connect(replotTimer_, &QTimer::timeout, this, &SweepPlot::replotNow);

  setMinimumSize(380, 300);
  PlotTheme::apply(plot_, palette());
  updateEmptyHint();
  rebuild();
  plot_->replot();
}

SweepPlot::~SweepPlot() = default;

QCustomPlot* SweepPlot::customPlot() const {
  return plot_;
}

SweepPlot::Run* SweepPlot::findRun(const QString& label) {
  for (Run& run : runs_)
    if (run.curve.label == label) return &run;
  return nullptr;
}

const SweepPlot::Run* SweepPlot::findRun(const QString& label) const {
  for (const Run& run : runs_)
    if (run.curve.label == label) return &run;
  return nullptr;
}

SweepPlot::Run& SweepPlot::ensureRun(const QString& label) {
  if (Run* run = findRun(label)) return *run;
  Run run;
  run.curve.label = label;
  run.color = PlotTheme::runColor(nextColor_++);
  runs_.push_back(run);
  updateEmptyHint();
  return runs_.back();
}

void SweepPlot::setCurve(const SweepCurve& curve) {
  ensureRun(curve.label).curve = curve;
  scheduleReplot();
}

void SweepPlot::updatePoint(const QString& runLabel, const SweepPoint& point) {
  Run& run = ensureRun(runLabel);
  auto it = std::find_if(run.curve.points.begin(), run.curve.points.end(),
                         [&](const SweepPoint& p) { return p.position == point.position; });
  if (it != run.curve.points.end())
    *it = point;
  else
    run.curve.points.push_back(point);
  scheduleReplot();
}

void SweepPlot::setBaselines(const QString& runLabel, const std::optional<SweepPoint>& closedBook,
                             const std::optional<SweepPoint>& oracle) {
  Run& run = ensureRun(runLabel);
  run.curve.closedBook = closedBook;
  run.curve.oracle = oracle;
  scheduleReplot();
}

void SweepPlot::removeCurve(const QString& label) {
  runs_.erase(
      std::remove_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.curve.label == label; }),
      runs_.end());
  updateEmptyHint();
  scheduleReplot();
}

void SweepPlot::clear() {
  runs_.clear();
  comparison_.reset();
  nextColor_ = 0;
  updateEmptyHint();
  scheduleReplot();
}

void SweepPlot::setPositionCount(int positions) {
  if (positions == positionCount_) return;
  positionCount_ = std::max(positions, 0);
  scheduleReplot();
}

QString SweepPlot::positionTitle(bool hopPairs) {
  return hopPairs ? tr("Place of the hop pair (hop 1 at p, hop 2 at p + 1)")
                  : tr("Position of the gold document (1 = first)");
}

void SweepPlot::setHopPairs(bool hopPairs) {
  const QString title = positionTitle(hopPairs);
  if (title == positionTitle_) return;
  positionTitle_ = title;
  logprobRect_->axis(QCPAxis::atBottom)->setLabel(title);
  scheduleReplot();
}

void SweepPlot::setComparison(const PairedComparison& comparison) {
  comparison_ = comparison;
  scheduleReplot();
}

void SweepPlot::clearComparison() {
  comparison_.reset();
  scheduleReplot();
}

QStringList SweepPlot::runs() const {
  QStringList labels;
  for (const Run& run : runs_)
    labels << run.curve.label;
  return labels;
}

SweepCurve SweepPlot::curve(const QString& run) const {
  const Run* found = findRun(run);
  return found ? found->curve : SweepCurve{};
}

bool SweepPlot::isRunVisible(const QString& run) const {
  const Run* found = findRun(run);
  return found && found->visible;
}

void SweepPlot::setRunVisible(const QString& label, bool visible) {
  Run* run = findRun(label);
  if (!run || run->visible == visible) return;
  run->visible = visible;
  scheduleReplot();
  Q_EMIT runVisibilityChanged(label, visible);
}

void SweepPlot::scheduleReplot() {
  if (!replotTimer_->isActive()) replotTimer_->start();
}

bool SweepPlot::replotPending() const {
  return replotTimer_->isActive();
}

void SweepPlot::replotNow() {
  replotTimer_->stop();
  rebuild();
  plot_->replot();
  ++replotCount_;
  Q_EMIT replotted();
}

void SweepPlot::updateEmptyHint() {
  emptyHint_->setVisible(runs_.empty());
}

void SweepPlot::rebuild() {
  plot_->clearItems();
  plot_->clearPlottables();
  markerGraphs_.clear();
  QCPAxis* x = accuracyRect_->axis(QCPAxis::atBottom);
  QCPAxis* y = accuracyRect_->axis(QCPAxis::atLeft);
  QCPAxis* lx = logprobRect_->axis(QCPAxis::atBottom);
  QCPAxis* ly = logprobRect_->axis(QCPAxis::atLeft);
  const QColor text = palette().color(QPalette::Text);
  QColor hidden = text;
  hidden.setAlpha(90);

  int visibleCount = 0;
  for (const Run& run : runs_)
    visibleCount += run.visible ? 1 : 0;
  int maxPosition = 0;
  double low = 100, high = 0;
  bool anyLogprob = false;
  QFontMetrics metrics(font());
  int labelWidth = 0;
  int visibleIndex = 0;
  int runsWithBaselines = 0;
  for (const Run& run : runs_)
    runsWithBaselines += run.visible && (run.curve.closedBook || run.curve.oracle) ? 1 : 0;

  const bool dark = PlotTheme::isDark(palette());
  for (Run& run : runs_) {
    const QColor color = dark ? run.color.lighter(135) : run.color; // readable on a dark background
    const std::vector<SweepPoint> points = SweepTable::sortedPoints(run.curve);
    const double offset =
        run.visible && visibleCount > 1 ? (visibleIndex - (visibleCount - 1) / 2.0) * kDodge : 0;
    if (run.visible) ++visibleIndex;
    QVector<double> keys, values, minus, plus, logKeys, logValues;
    for (const SweepPoint& p : points) {
      keys << p.position + 1 + offset;
      values << p.accuracy * 100;
      minus << (p.accuracy - p.ciLow) * 100;
      plus << (p.ciHigh - p.accuracy) * 100;
      if (p.meanAnswerLogprob) {
        logKeys << p.position + 1 + offset;
        logValues << *p.meanAnswerLogprob;
      }
      if (run.visible) {
        maxPosition = std::max(maxPosition, p.position + 1);
        low = std::min(low, p.ciLow * 100);
        high = std::max(high, p.ciHigh * 100);
      }
    }
    const QPen pen(color, 2);
    run.accuracy = plot_->addGraph(x, y);
    run.accuracy->setName(run.curve.label);
    run.accuracy->setProperty("run", run.curve.label);
    run.accuracy->setPen(pen);
    run.accuracy->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 6));
    run.accuracy->setData(keys, values, true);
    run.accuracy->setVisible(run.visible);
    run.errorBars = new QCPErrorBars(x, y);
    run.errorBars->removeFromLegend();
    run.errorBars->setDataPlottable(run.accuracy);
    run.errorBars->setData(minus, plus);
    run.errorBars->setPen(QPen(color, 1.2));
    run.errorBars->setWhiskerWidth(6);
    run.errorBars->setVisible(run.visible);
    run.logprob = plot_->addGraph(lx, ly);
    run.logprob->removeFromLegend();
    run.logprob->setPen(pen);
    run.logprob->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 5));
    run.logprob->setData(logKeys, logValues, true);
    run.logprob->setVisible(run.visible);
    anyLogprob = anyLogprob || (run.visible && !logValues.isEmpty());

    run.closedBookLine = run.oracleLine = nullptr;
    const auto addBaseline = [&](const std::optional<SweepPoint>& baseline, const QString& name,
                                 Qt::PenStyle style) {
      if (!baseline || !run.visible) return static_cast<QCPItemStraightLine*>(nullptr);
      const double value = baseline->accuracy * 100;
      low = std::min(low, value);
      high = std::max(high, value);
      auto* line = new QCPItemStraightLine(plot_);
      line->setClipAxisRect(accuracyRect_);
      for (QCPItemPosition* end : {line->point1, line->point2}) {
        end->setAxisRect(accuracyRect_);
        end->setAxes(x, y);
      }
      line->point1->setCoords(0, value);
      line->point2->setCoords(1, value);
      line->setPen(QPen(color, 1.5, style));
      auto* label = new QCPItemText(plot_);
      label->setClipToAxisRect(false);
      label->position->setAxisRect(accuracyRect_);
      label->position->setAxes(x, y);
      label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
      label->position->setTypeY(QCPItemPosition::ptPlotCoords);
      label->position->setCoords(1.0, value);
      label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
      label->setPadding(QMargins(6, 0, 0, 0));
      label->setColor(color);
      QString caption = QStringLiteral("%1 %2").arg(name, percent(baseline->accuracy));
      if (runsWithBaselines > 1) caption += QStringLiteral(" (%1)").arg(run.curve.label);
      label->setText(caption);
      labelWidth = std::max(labelWidth, metrics.horizontalAdvance(caption) + 12);
      return line;
    };
    run.closedBookLine = addBaseline(run.curve.closedBook, tr("closed-book"), Qt::DashLine);
    run.oracleLine = addBaseline(run.curve.oracle, tr("oracle"), Qt::DotLine);
  }

  // McNemar: a star above each position where the two runs differ at p < alpha, in the
  // colour of the run that was more often right.
  const Run* runA = comparison_ ? findRun(comparison_->runA) : nullptr;
  const Run* runB = comparison_ ? findRun(comparison_->runB) : nullptr;
  if (runA && runB && runA->visible && runB->visible) {
    for (int direction : {+1, -1}) {
      const Run* better = direction > 0 ? runB : runA;
      const Run* worse = direction > 0 ? runA : runB;
      QVector<double> keys, values;
      for (const PairedPositionTest& test : comparison_->positions) {
        if (!(test.pValue < comparison_->alpha) || test.direction != direction) continue;
        const SweepPoint* a = SweepTable::pointAt(runA->curve, test.position);
        const SweepPoint* b = SweepTable::pointAt(runB->curve, test.position);
        const double top = std::max(a ? a->ciHigh : 0.0, b ? b->ciHigh : 0.0) * 100 + kMarkerLift;
        keys << test.position + 1;
        values << top;
        high = std::max(high, top);
        maxPosition = std::max(maxPosition, test.position + 1);
      }
      QCPGraph* markers = plot_->addGraph(x, y);
      markers->setLineStyle(QCPGraph::lsNone);
      markers->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar,
                                               QPen(dark ? better->color.lighter(135) : better->color, 2),
                                               Qt::NoBrush, 11));
      markers->setData(keys, values, true);
      markers->setName(
          tr("%1 better than %2 (McNemar p < %3)")
              .arg(better->curve.label, worse->curve.label, QString::number(comparison_->alpha)));
      if (keys.isEmpty())
        markers->removeFromLegend();
      else if (auto* entry = plot_->legend->itemWithPlottable(markers))
        entry->setTextColor(text);
      markerGraphs_ << markers;
    }
  }

  // Axes: every position and interval in view, the y range on round tens.
  if (maxPosition == 0) maxPosition = positionCount_ > 0 ? positionCount_ : 5;
  x->setRange(0.5, maxPosition + 0.5);
  if (low > high) {
    low = 0;
    high = 100;
  }
  y->setRange(std::max(0.0, std::floor((low - 3) / 10) * 10),
              std::min(110.0, std::ceil((high + 3) / 10) * 10));
  const bool showLogprob = anyLogprob;
  QCPLayoutGrid* grid = plot_->plotLayout();
  if (showLogprob && !logprobRect_->layout()) {
    grid->addElement(2, 0, logprobRect_);
    grid->setRowStretchFactor(2, 1);
    logprobRect_->setVisible(true);
  } else if (!showLogprob && logprobRect_->layout()) {
    grid->take(logprobRect_);
    grid->simplify();
    logprobRect_->setVisible(false);
  }
  // After the panel is shown: rescale() skips plottables of a hidden axis rect.
  if (showLogprob) {
    ly->rescale(true);
    const QCPRange r = ly->range();
    const double pad = std::max(0.05, r.size() * 0.1);
    ly->setRange(r.lower - pad, r.upper + pad);
  }
  // The baseline labels live in the right margin, so lines never run under text.
  for (QCPAxisRect* rect : {accuracyRect_, logprobRect_}) {
    rect->setAutoMargins(QCP::msLeft | QCP::msTop | QCP::msBottom);
    rect->setMargins(QMargins(0, 0, std::max(16, labelWidth), 0));
  }
  x->setTickLabels(true);
  x->setLabel(showLogprob ? QString() : positionTitle_);
  PlotTheme::apply(plot_, palette());
  for (const Run& run : runs_)
    if (auto* entry = plot_->legend->itemWithPlottable(run.accuracy))
      entry->setTextColor(run.visible ? text : hidden);
}

QVector<QPointF> SweepPlot::drawnAccuracy(const QString& label) const {
  QVector<QPointF> out;
  const Run* run = findRun(label);
  if (!run || !run->accuracy) return out;
  for (auto it = run->accuracy->data()->constBegin(); it != run->accuracy->data()->constEnd(); ++it)
    out << QPointF(it->key, it->value);
  return out;
}

QVector<QPointF> SweepPlot::drawnErrorBars(const QString& label) const {
  QVector<QPointF> out;
  const Run* run = findRun(label);
  if (!run || !run->errorBars) return out;
  for (const QCPErrorBarsData& bar : *run->errorBars->data())
    out << QPointF(bar.errorMinus, bar.errorPlus);
  return out;
}

QVector<QPointF> SweepPlot::drawnLogprob(const QString& label) const {
  QVector<QPointF> out;
  const Run* run = findRun(label);
  if (!run || !run->logprob) return out;
  for (auto it = run->logprob->data()->constBegin(); it != run->logprob->data()->constEnd(); ++it)
    out << QPointF(it->key, it->value);
  return out;
}

std::optional<double> SweepPlot::drawnBaseline(const QString& label, Baseline which) const {
  const Run* run = findRun(label);
  if (!run) return std::nullopt;
  const QCPItemStraightLine* line = which == Baseline::ClosedBook ? run->closedBookLine : run->oracleLine;
  if (!line || !run->accuracy || !run->accuracy->visible()) return std::nullopt;
  return line->point1->coords().y();
}

QVector<QPointF> SweepPlot::drawnSignificanceMarkers() const {
  QVector<QPointF> out;
  for (const QCPGraph* graph : markerGraphs_)
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
      out << QPointF(it->key, it->value);
  std::sort(out.begin(), out.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
  return out;
}

bool SweepPlot::drawnVisible(const QString& label) const {
  const Run* run = findRun(label);
  return run && run->accuracy && run->accuracy->visible() && run->errorBars->visible() &&
         (!run->closedBookLine || run->closedBookLine->visible());
}

QStringList SweepPlot::drawnAccuracyTickLabels() const {
  QStringList labels;
  for (const QString& label : accuracyRect_->axis(QCPAxis::atLeft)->tickVectorLabels())
    if (!label.isEmpty()) labels << label;
  return labels;
}

QPointF SweepPlot::drawnPositionRange() const {
  const QCPRange r = accuracyRect_->axis(QCPAxis::atBottom)->range();
  return {r.lower, r.upper};
}

QRect SweepPlot::legendEntryRect(const QString& label) const {
  const Run* run = findRun(label);
  if (!run || !run->accuracy) return {};
  const QCPAbstractLegendItem* entry = plot_->legend->itemWithPlottable(run->accuracy);
  return entry ? entry->outerRect() : QRect();
}

QRect SweepPlot::accuracyArea() const {
  return accuracyRect_->rect();
}

bool SweepPlot::logprobPanelShown() const {
  return logprobRect_->layout() != nullptr;
}

void SweepPlot::showPointToolTip(QMouseEvent* event) {
  const QPointF pos = event->position();
  if (!accuracyRect_->rect().contains(pos.toPoint()) &&
      !(logprobPanelShown() && logprobRect_->rect().contains(pos.toPoint()))) {
    QToolTip::hideText();
    return;
  }
  const int position =
      static_cast<int>(std::lround(accuracyRect_->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()))) - 1;
  std::vector<SweepTable::ShownCurve> shown;
  for (const Run& run : runs_)
    if (run.visible) shown.push_back({&run.curve, run.color});
  const QString text = SweepTable::positionSummary(position, shown, comparison_);
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
}

PlotData SweepPlot::plotData() const {
  std::vector<const SweepCurve*> curves;
  for (const Run& run : runs_)
    curves.push_back(&run.curve);
  return SweepTable::plotData(curves, comparison_);
}

void SweepPlot::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && plot_) replotNow();
}

} // namespace poslab
