#pragma once
// Figures and numbers for papers: a plot to PDF and SVG (vector) and PNG (chosen
// size and DPI), its PlotData to CSV and JSON. Every file is written through a
// temporary file and checked after writing (PDF header, SVG that parses as XML,
// PNG that loads at the requested size); a failure leaves no partial file and
// returns false with a one-line reason naming the file.
#include "widgets/PlotData.h"

#include <QByteArray>
#include <QPalette>
#include <QSize>
#include <QString>

class QCustomPlot;

namespace poslab {

class ExportablePlot;

class PlotExporter {
public:
  // `size`: the page in points (1/72 in) for PDF, in user units (1/96 in) for SVG; empty: the
  // plot's on-screen size. Both lay the plot out at 96 units an inch, so text keeps its size.
  static bool savePdf(QCustomPlot* plot, const QString& path, QSize size = {}, QString* error = nullptr);
  static bool saveSvg(QCustomPlot* plot, const QString& path, QSize size = {}, QString* error = nullptr);
  // `pixels` is the image size; fonts and lines scale with dpi / 96, so a 300 dpi figure
  // looks like the 96 dpi one, only sharper. The DPI is stored in the PNG (pHYs).
  static bool savePng(QCustomPlot* plot, const QString& path, QSize pixels, int dpi = 96,
                      QString* error = nullptr);
  static bool saveCsv(const PlotData& data, const QString& path, QString* error = nullptr);
  static bool saveJson(const PlotData& data, const QString& path, QString* error = nullptr);

  struct Options {
    QSize size;   // points (PDF), user units (SVG), pixels (PNG); empty: as on screen
    int dpi = 96; // PNG only
    // Figures for papers are drawn on white whatever the application's palette; false
    // keeps the on-screen (possibly dark) look, e.g. for slides.
    bool paperPalette = true;
  };
  // The format is picked from the suffix: .pdf .svg .png .csv .json.
  static bool save(const ExportablePlot& plot, const QString& path, const Options& options,
                   QString* error = nullptr);
  // Black on white, whatever the platform's theme.
  static QPalette paperPalette();

  // RFC 4180: comma separated, fields quoted when they hold a comma, quote or newline;
  // numbers in the C locale, shortest round-trip form; missing cells empty.
  static QByteArray toCsv(const PlotData& data);
  // {"name", "description", "columns": [...], "rows": [{column: value, ...}, ...]}; missing: null.
  static QByteArray toJson(const PlotData& data);
};

} // namespace poslab
