#include "widgets/AttentionBars.h"

#include "widgets/PlotTheme.h"

#include <QEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

namespace poslab {

AttentionBars::AttentionBars(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  plot_ = new QCustomPlot(this);
  plot_->setObjectName("attentionBarsPlot");
  plot_->setToolTip(tr("Attention per document; hover a bar for the document"));
  plot_->setMinimumSize(300, 160);
  layout->addWidget(plot_);

  QCPAxis* x = plot_->xAxis;
  QCPAxis* y = plot_->yAxis;
  bars_ = new QCPBars(x, y);
  goldBars_ = new QCPBars(x, y);
  for (QCPBars* b : {bars_, goldBars_})
    b->setWidth(0.75);
  bars_->setName(tr("documents"));
  goldBars_->setName(tr("gold document"));
  x->setLabel(tr("Document (1 = first in the prompt)"));
  x->grid()->setVisible(false);
  x->setSubTicks(false);
  QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
  ticker->setTickStep(1.0);
  ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
  x->setTicker(ticker);
  // The legend gets a row of its own above the bars: it never covers a bar.
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  plot_->plotLayout()->insertRow(0);
  plot_->plotLayout()->addElement(0, 0, plot_->legend);
  plot_->plotLayout()->setRowStretchFactor(0, 0.001);
  plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
  plot_->legend->setSelectableParts(QCPLegend::spNone);

  connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
    const int d = static_cast<int>(std::lround(plot_->xAxis->pixelToCoord(event->position().x()))) - 1;
    if (!plot_->axisRect()->rect().contains(event->position().toPoint()) || d < 0 || d >= mass_.size()) {
      QToolTip::hideText();
      return;
    }
    QString text = tr("Document %1%2: %3")
                       .arg(d + 1)
                       .arg(d == gold_ ? tr(" (gold)") : QString())
                       .arg(mass_[d], 0, 'g', 4);
    if (d < titles_.size()) text += QStringLiteral("<br>") + titles_[d].toHtmlEscaped();
    QToolTip::showText(event->globalPosition().toPoint(), text, plot_);
  });
  setMinimumSize(300, 160);
  redraw();
}

QCustomPlot* AttentionBars::customPlot() const {
  return plot_;
}

void AttentionBars::setValues(const QVector<double>& mass, int goldIndex, const QStringList& titles,
                              const QString& valueTitle) {
  mass_ = mass;
  gold_ = goldIndex;
  titles_ = titles;
  valueTitle_ = valueTitle;
  redraw();
}

void AttentionBars::redraw() {
  QVector<double> keys, values, goldKeys, goldValues;
  double top = 0;
  for (int d = 0; d < mass_.size(); ++d) {
    (d == gold_ ? goldKeys : keys) << d + 1;
    (d == gold_ ? goldValues : values) << mass_[d];
    if (std::isfinite(mass_[d])) top = std::max(top, mass_[d]);
  }
  bars_->setData(keys, values, true);
  goldBars_->setData(goldKeys, goldValues, true);
  QColor plain = PlotTheme::runColor(0);
  bars_->setPen(QPen(plain.darker(120)));
  plain.setAlpha(200);
  bars_->setBrush(plain);
  goldBars_->setPen(QPen(PlotTheme::goldColor().darker(120)));
  goldBars_->setBrush(PlotTheme::goldColor());
  plot_->xAxis->setRange(0.4, std::max<int>(1, mass_.size()) + 0.6);
  plot_->yAxis->setRange(0, top > 0 ? top * 1.12 : 1);
  plot_->yAxis->setLabel(valueTitle_.isEmpty() ? tr("Attention share") : valueTitle_);
  plot_->legend->setVisible(gold_ >= 0);
  PlotTheme::apply(plot_, palette());
  plot_->replot();
}

QVector<QPointF> AttentionBars::drawnBars() const {
  QVector<QPointF> out;
  for (auto it = bars_->data()->constBegin(); it != bars_->data()->constEnd(); ++it)
    out << QPointF(it->key, it->value);
  return out;
}

QVector<QPointF> AttentionBars::drawnGoldBars() const {
  QVector<QPointF> out;
  for (auto it = goldBars_->data()->constBegin(); it != goldBars_->data()->constEnd(); ++it)
    out << QPointF(it->key, it->value);
  return out;
}

PlotData AttentionBars::plotData() const {
  PlotData table;
  table.name = QStringLiteral("attention_per_document");
  table.description = QStringLiteral("Attention per document in prompt order (1-based)");
  table.columns = {"document", "title", "is_gold", "attention"};
  for (int d = 0; d < mass_.size(); ++d)
    table.rows.push_back({d + 1, d < titles_.size() ? titles_[d] : QString(), d == gold_, mass_[d]});
  return table;
}

void AttentionBars::changeEvent(QEvent* event) {
  QWidget::changeEvent(event);
  if (event->type() == QEvent::PaletteChange && plot_) redraw();
}

} // namespace poslab
