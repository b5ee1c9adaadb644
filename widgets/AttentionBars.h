#pragma once
// Attention per document as bars, in prompt order, the gold document's bar in the
// gold colour: the one-line summary of an attention heatmap.
#include "widgets/ExportablePlot.h"

#include <QStringList>
#include <QVector>
#include <QWidget>

class QCPBars;

namespace poslab {

class AttentionBars : public QWidget, public ExportablePlot {
  Q_OBJECT
public:
  explicit AttentionBars(QWidget* parent = nullptr);

  // mass[d]: attention on document d (0-based); titles for the tooltips and the export.
  void setValues(const QVector<double>& mass, int goldIndex, const QStringList& titles = {},
                 const QString& valueTitle = {});
  const QVector<double>& values() const { return mass_; }
  int goldIndex() const { return gold_; }

  // Read back from the bars: (1-based document, value) of the plain and the gold bars.
  QVector<QPointF> drawnBars() const;
  QVector<QPointF> drawnGoldBars() const;

  QCustomPlot* customPlot() const override;
  PlotData plotData() const override;

protected:
  void changeEvent(QEvent* event) override;

private:
  void redraw();

  QCustomPlot* plot_ = nullptr;
  QCPBars* bars_ = nullptr;
  QCPBars* goldBars_ = nullptr;
  QVector<double> mass_;
  QStringList titles_;
  QString valueTitle_;
  int gold_ = -1;
};

} // namespace poslab
