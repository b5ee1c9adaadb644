#include "widgets/PlotTheme.h"

#include <QPalette>
#include <array>
#include <qcustomplot.h>

namespace poslab {

namespace {

void styleAxis(QCPAxis* axis, const QColor& text, const QColor& grid) {
  const QPen line(text, 1);
  axis->setBasePen(line);
  axis->setTickPen(line);
  axis->setSubTickPen(line);
  axis->setTickLabelColor(text);
  axis->setLabelColor(text);
  axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
  axis->grid()->setZeroLinePen(Qt::NoPen);
}

} // namespace

bool PlotTheme::isDark(const QPalette& palette) {
  return palette.color(QPalette::Base).lightness() < 128;
}

void PlotTheme::apply(QCustomPlot* plot, const QPalette& palette) {
  const QColor base = palette.color(QPalette::Base);
  const QColor text = palette.color(QPalette::Text);
  QColor grid = text;
  grid.setAlpha(60);
  plot->setBackground(base);
  for (QCPAxisRect* rect : plot->axisRects()) {
    rect->setBackground(base);
    for (QCPAxis* axis : rect->axes())
      styleAxis(axis, text, grid);
  }
  plot->legend->setBrush(base);
  plot->legend->setBorderPen(Qt::NoPen);
  plot->legend->setTextColor(text);
  for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
    if (auto* title = qobject_cast<QCPTextElement*>(plot->plotLayout()->elementAt(i)))
      title->setTextColor(text);
  for (int i = 0; i < plot->itemCount(); ++i)
    if (auto* label = qobject_cast<QCPItemText*>(plot->item(i)); label && label->property("themed").toBool())
      label->setColor(text);
  for (int i = 0; i < plot->plotLayout()->elementCount(); ++i)
    if (auto* scale = qobject_cast<QCPColorScale*>(plot->plotLayout()->elementAt(i)))
      applyToColorScale(scale, palette);
}

void PlotTheme::applyToColorScale(QCPColorScale* scale, const QPalette& palette) {
  const QColor text = palette.color(QPalette::Text);
  styleAxis(scale->axis(), text, Qt::transparent);
}

QColor PlotTheme::runColor(int index) {
  // Okabe & Ito (2008), without black and yellow (unreadable on one of the palettes).
  static const std::array<QColor, 6> colors = {QColor(0x00, 0x72, 0xB2), QColor(0xD5, 0x5E, 0x00),
                                               QColor(0x00, 0x9E, 0x73), QColor(0xCC, 0x79, 0xA7),
                                               QColor(0xE6, 0x9F, 0x00), QColor(0x56, 0xB4, 0xE9)};
  return colors[static_cast<size_t>(index) % colors.size()];
}

QColor PlotTheme::goldColor() {
  return QColor(0xE6, 0x1E, 0x4D);
}

QCPColorGradient PlotTheme::viridis() {
  static const std::array<QRgb, 10> stops = {0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e,
                                             0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725};
  QCPColorGradient gradient;
  gradient.clearColorStops();
  for (size_t i = 0; i < stops.size(); ++i)
    gradient.setColorStopAt(static_cast<double>(i) / (stops.size() - 1), QColor(stops[i]));
  gradient.setColorInterpolation(QCPColorGradient::ciRGB);
  gradient.setLevelCount(256);
  gradient.setNanHandling(QCPColorGradient::nhNanColor);
  gradient.setNanColor(QColor(128, 128, 128, 60));
  return gradient;
}

} // namespace poslab
