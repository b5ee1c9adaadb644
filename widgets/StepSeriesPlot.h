#pragma once
// A training curve over steps (loss, learning rate, grad norm) the way
// TensorBoard users read one: the raw values faint, a smoothed line on top with
// a smoothing slider (TensorBoard's debiased exponential moving average, so the
// first points are not dragged towards zero), and a linear / log y axis. Fed
// live; redraws are coalesced to at most ten a second.
#include "widgets/ExportablePlot.h"

#include <QVector>
#include <QWidget>

class QCPGraph;
class QCheckBox;
class QLabel;
class QSlider;
class QTimer;

namespace poslab {

class StepSeriesPlot : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  // `name` is the value's label ("loss") and the exported file stem.
  explicit StepSeriesPlot(const QString& name, QWidget* parent = nullptr);
  ~StepSeriesPlot() override;

  void setSeries(const QVector<double>& steps, const QVector<double>& values);
  void clear() { setSeries({}, {}); }

  // 0 (raw) to 0.99; the slider's value / 100.
  double smoothing() const;
  void setSmoothing(double weight);
  // Hides the smoothing controls (a schedule such as the learning rate is not noisy).
  void setSmoothingShown(bool shown);
  bool logScale() const;
  void setLogScale(bool on);

  // TensorBoard's smoothing: an EMA with weight w whose bias towards the
  // initial 0 is divided out (last / (1 - w^n)).
  static QVector<double> smoothed(const QVector<double>& values, double weight);

  // Read back after a redraw: the raw and smoothed graphs' points.
  QVector<double> drawnRaw() const;
  QVector<double> drawnSmoothed() const;
  bool drawnLogAxis() const;
  QPair<double, double> drawnValueRange() const; // the y axis's (lower, upper)

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

protected:
  void changeEvent(QEvent* event) override;

private:
  void scheduleRedraw();
  void redraw();

  QString name_;
  QVector<double> steps_, values_;
  QCustomPlot* plot_ = nullptr;
  QCPGraph* raw_ = nullptr;
  QCPGraph* smooth_ = nullptr;
  QSlider* smoothing_ = nullptr;
  QLabel* smoothingLabel_ = nullptr;
  QLabel* smoothingTitle_ = nullptr;
  QCheckBox* log_ = nullptr;
  QTimer* redrawTimer_ = nullptr;
};

} // namespace poslab
