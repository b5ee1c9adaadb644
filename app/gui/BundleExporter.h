#pragma once
// "Export bundle" (issue "GUI lab"): a folder with every figure as PDF, SVG and
// PNG, the numbers behind it as CSV and JSON, and manifest.json — PosLab's
// version, and per figure its files and where it came from (runs, model and
// data fingerprints, every setting), so each figure can be regenerated.
// Each file is written and checked by PlotExporter; the manifest is written last.
#include <QJsonObject>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>

namespace poslab {

class ExportablePlot;

struct BundleFigure {
  QString name;                         // file stem: letters, digits, '_' and '-'
  const ExportablePlot* plot = nullptr; // drawn on the GUI thread
  QJsonObject source;                   // runs, settings, fingerprints it was made from
};

class BundleExporter {
public:
  static constexpr const char* kFormats[] = {"pdf", "svg", "png", "csv", "json"};
  static QSize pngSize() { return {1800, 1100}; }
  static constexpr int kPngDpi = 300;

  // Writes into `folder` (created if needed); false with a one-line reason naming
  // the file on the first failure. `files`: the paths written, manifest last.
  static bool write(const QString& folder, const QVector<BundleFigure>& figures, QString* error = nullptr,
                    QStringList* files = nullptr);
  // The software version recorded in the manifest.
  static QString version();
};

} // namespace poslab
