#pragma once
// "Export bundle" (issue "GUI lab"): a folder with every figure as PDF, SVG and
// PNG, the numbers behind it as CSV and JSON, and manifest.json — PosLab's
// version, and per figure its files and where it came from (runs, model and
// data fingerprints, every setting), so each figure can be regenerated.
// Each file is written and checked by PlotExporter; the manifest is written last.
// Drawing a figure in five formats takes about half a second on the GUI thread
// (its plot lives there), so an export draws one figure per event-loop turn:
// the window repaints and reports progress between figures.
#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
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

class BundleExporter : public QObject {
  Q_OBJECT
public:
  static constexpr const char* kFormats[] = {"pdf", "svg", "png", "csv", "json"};
  static QSize pngSize() { return {1800, 1100}; }
  static constexpr int kPngDpi = 300;

  explicit BundleExporter(QObject* parent = nullptr) : QObject(parent) {}

  // Writes into `folder` (created if needed), one figure per event-loop turn,
  // then the manifest; finished() says how it ended (on the first failure, a
  // one-line reason naming the file). The plots must outlive the export. False,
  // and nothing emitted, while another export of this object is running.
  bool start(const QString& folder, const QVector<BundleFigure>& figures);
  bool isRunning() const { return running_; }

  // start() and a wait for it in a local event loop that holds user input back
  // (windows still repaint between figures): the same files. `files`: the paths
  // written, manifest last.
  static bool write(const QString& folder, const QVector<BundleFigure>& figures, QString* error = nullptr,
                    QStringList* files = nullptr);
  // The software version recorded in the manifest.
  static QString version();

Q_SIGNALS:
  // After each figure's files are written: `done` of `total` figures.
  void progress(int done, int total, const QString& figure);
  void finished(bool ok, const QString& error, const QStringList& files);

private:
  void writeNext(); // one event-loop turn: a figure, or the manifest
  bool writeFigure(const BundleFigure& figure);
  bool writeManifest();
  void finish(bool ok, const QString& error = {});

  bool running_ = false;
  QString folder_;
  QVector<BundleFigure> figures_;
  qsizetype next_ = 0; // the figure the next turn writes
  QJsonArray listed_;  // the manifest's entries of the figures written
  QStringList files_;  // every path written
};

} // namespace poslab
