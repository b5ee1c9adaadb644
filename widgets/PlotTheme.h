#pragma once
// How every PosLab plot looks: colours taken from the widget's palette (light and
// dark both readable), a colour-blind-safe run palette, and viridis for heatmaps.
// Only widgets' own .cpp files include qcustomplot.h; this header forward-declares
// its types so code built with QT_NO_KEYWORDS can include it.
#include <QColor>

class QCustomPlot;
class QCPColorGradient;
class QCPColorScale;
class QPalette;

namespace poslab {

class PlotTheme {
public:
  // Background, axes, grid, tick labels and legend of `plot` from `palette`.
  static void apply(QCustomPlot* plot, const QPalette& palette);
  static void applyToColorScale(QCPColorScale* scale, const QPalette& palette);
  // Okabe & Ito's colour-blind-safe palette, cycled; each readable on white and on dark grey.
  static QColor runColor(int index);
  // Marks the gold document; stands out on viridis and on both palettes.
  static QColor goldColor();
  // Perceptually uniform (matplotlib's viridis, van der Walt & Smith 2015): QCustomPlot 2.1
  // has no viridis preset, so it is built from viridis sampled at 10 equally spaced points.
  static QCPColorGradient viridis();
  static bool isDark(const QPalette& palette);
};

} // namespace poslab
