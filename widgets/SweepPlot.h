#pragma once
// Accuracy vs gold position (1-based, as papers label it) with Wilson 95 % error bars,
// closed-book and oracle as dashed reference lines, several runs overlaid (each
// toggleable), McNemar-significant positions starred, and a lower panel with the
// mean answer log-prob. Fed live: every change schedules one coalesced redraw, at
// most ten a second (DESIGN.md, "Threads").
//
// qcustomplot.h is not included here (it needs Qt's `signals` keyword, which code
// built with QT_NO_KEYWORDS lacks); the plot is reached through QCustomPlot*.
#include "widgets/ExportablePlot.h"
#include "widgets/PairedComparison.h"
#include "widgets/SweepCurve.h"

#include <QColor>
#include <QPointF>
#include <QRect>
#include <QWidget>
#include <vector>

class QCPAxisRect;
class QCPErrorBars;
class QCPGraph;
class QCPItemStraightLine;
class QLabel;
class QMouseEvent;
class QTimer;

namespace poslab {

class SweepPlot : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  enum class Baseline { ClosedBook, Oracle };
  static constexpr int kMinReplotIntervalMs = 100;

  explicit SweepPlot(QWidget* parent = nullptr);
  ~SweepPlot() override;

  // The run with curve.label is added, or replaced when it exists (visibility is kept).
  void setCurve(const SweepCurve& curve);
  // Live update: one position of a run changed (new records scored). Adds the run if new.
  void updatePoint(const QString& run, const SweepPoint& point);
  void setBaselines(const QString& run, const std::optional<SweepPoint>& closedBook,
                    const std::optional<SweepPoint>& oracle);
  void removeCurve(const QString& run);
  void clear();
  void setComparison(const PairedComparison& comparison);
  void clearComparison();
  // The gold positions of the chosen dataset (its documents per prompt): what the
  // x axis spans before any result is in; 0 = unknown (positions 1-5).
  void setPositionCount(int positions);
  int positionCount() const { return positionCount_; }
  // What a position is, for the x axis's title: the gold document's place
  // (default), or a two-hop sweep's hop pair (hop 1 at p, hop 2 at p + 1).
  void setHopPairs(bool hopPairs);

  QStringList runs() const;
  SweepCurve curve(const QString& run) const;
  bool isRunVisible(const QString& run) const;

  // What the plot holds after the last redraw, read back from the plottables:
  // (x, accuracy in %) per point, x the 1-based position (dodged sideways when several
  // runs are shown), error bars as (minus, plus) in %, the log-prob panel's points.
  QVector<QPointF> drawnAccuracy(const QString& run) const;
  QVector<QPointF> drawnErrorBars(const QString& run) const;
  QVector<QPointF> drawnLogprob(const QString& run) const;
  std::optional<double> drawnBaseline(const QString& run, Baseline which) const; // in %
  QVector<QPointF> drawnSignificanceMarkers() const;                             // (position, y)
  bool drawnVisible(const QString& run) const; // its curve and error bars are drawn
  bool logprobPanelShown() const;
  QStringList drawnAccuracyTickLabels() const; // non-empty labels of the accuracy axis
  QPointF drawnPositionRange() const;          // the x axis (lower, upper), in positions
  // Where the run's legend entry was drawn, in the QCustomPlot's coordinates (a click
  // there hides or shows the run); invalid when it has none.
  QRect legendEntryRect(const QString& run) const;
  // The accuracy panel's data area after the last redraw, in the QCustomPlot's coordinates.
  QRect accuracyArea() const;
  int replotCount() const { return replotCount_; }
  bool replotPending() const;

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

public Q_SLOTS:
  void setRunVisible(const QString& run, bool visible);
  // Redraws now (export, tests); pending coalesced changes are drawn with it.
  void replotNow();

Q_SIGNALS:
  void replotted();
  void runVisibilityChanged(const QString& run, bool visible);

protected:
  void changeEvent(QEvent* event) override;

private:
  struct Run {
    SweepCurve curve;
    QColor color;
    bool visible = true;
    // Plottables of the last redraw (owned by the plot; replaced on every rebuild).
    QCPGraph* accuracy = nullptr;
    QCPErrorBars* errorBars = nullptr;
    QCPGraph* logprob = nullptr;
    QCPItemStraightLine* closedBookLine = nullptr;
    QCPItemStraightLine* oracleLine = nullptr;
  };
  Run* findRun(const QString& label);
  const Run* findRun(const QString& label) const;
  Run& ensureRun(const QString& label);
  void scheduleReplot();
  void rebuild();
  void updateEmptyHint();
  void showPointToolTip(QMouseEvent* event);

  QCustomPlot* plot_ = nullptr;
  QCPAxisRect* accuracyRect_ = nullptr;
  QCPAxisRect* logprobRect_ = nullptr;
  QVector<QCPGraph*> markerGraphs_; // significance stars, one graph per direction
  std::vector<Run> runs_;
  std::optional<PairedComparison> comparison_;
  QLabel* emptyHint_ = nullptr; // shown while there is no run
  QTimer* replotTimer_ = nullptr;
  int replotCount_ = 0;
  int nextColor_ = 0;
  int positionCount_ = 0; // the dataset's positions; 0 = unknown
  static QString positionTitle(bool hopPairs);
  QString positionTitle_;
};

} // namespace poslab
