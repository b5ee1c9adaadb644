#include "app/gui/BundleExporter.h"

#include "widgets/ExportablePlot.h"
#include "widgets/PlotExporter.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTimer>

namespace poslab {

QString BundleExporter::version() {
  return QStringLiteral(POSLAB_VERSION);
}

bool BundleExporter::start(const QString& folder, const QVector<BundleFigure>& figures) {
  if (running_) return false;
  running_ = true;
  folder_ = folder;
  figures_ = figures;
  next_ = 0;
  listed_ = {};
  files_.clear();
  // Checked before anything is written; reported from the event loop like every other end.
  static const QRegularExpression stem("^[A-Za-z0-9_-]+$");
  QString refused;
  if (figures.isEmpty()) refused = tr("%1: nothing to export (no figure has data yet)").arg(folder);
  for (const BundleFigure& figure : figures)
    if (refused.isEmpty() && (!figure.plot || !stem.match(figure.name).hasMatch()))
      refused = tr("%1: figure name '%2' is not a plain file stem").arg(folder, figure.name);
  if (refused.isEmpty() && !QDir().mkpath(folder)) refused = tr("%1: cannot create the folder").arg(folder);
  if (!refused.isEmpty())
    QTimer::singleShot(0, this, [this, refused] { finish(false, refused); });
  else
    QTimer::singleShot(0, this, &BundleExporter::writeNext);
  return true;
}

void BundleExporter::writeNext() {
  if (next_ == figures_.size()) {
    if (writeManifest()) finish(true);
    return;
  }
  const BundleFigure& figure = figures_[next_];
  if (!writeFigure(figure)) return;
  ++next_;
  Q_EMIT progress(static_cast<int>(next_), static_cast<int>(figures_.size()), figure.name);
  QTimer::singleShot(0, this, &BundleExporter::writeNext); // the window's turn, then the next figure
}

bool BundleExporter::writeFigure(const BundleFigure& figure) {
  const QDir dir(folder_);
  QJsonObject written;
  for (const char* format : kFormats) {
    const QString file = dir.filePath(figure.name + "." + format);
    PlotExporter::Options options;
    if (QByteArray(format) == "png") {
      options.size = pngSize();
      options.dpi = kPngDpi;
    }
    QString why;
    if (!PlotExporter::save(*figure.plot, file, options, &why)) {
      finish(false, why);
      return false;
    }
    written[format] = QFileInfo(file).fileName();
    files_ << file;
  }
  QJsonObject entry;
  entry["name"] = figure.name;
  entry["description"] = figure.plot->plotData().description;
  entry["files"] = written;
  entry["png"] = QJsonObject{{"width", pngSize().width()}, {"height", pngSize().height()}, {"dpi", kPngDpi}};
  entry["source"] = figure.source;
  listed_.append(entry);
  return true;
}

bool BundleExporter::writeManifest() {
  QJsonObject manifest;
  manifest["poslab_version"] = version();
  manifest["created"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
  manifest["figures"] = listed_;
  const QString path = QDir(folder_).filePath("manifest.json");
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(manifest).toJson()) < 0 || !out.commit()) {
    finish(false, tr("%1: %2").arg(path, out.errorString()));
    return false;
  }
  files_ << path;
  return true;
}

void BundleExporter::finish(bool ok, const QString& error) {
  running_ = false;
  figures_.clear(); // the plots are the caller's; no pointer is kept past the export
  Q_EMIT finished(ok, error, files_);
}

bool BundleExporter::write(const QString& folder, const QVector<BundleFigure>& figures, QString* error,
                           QStringList* files) {
  BundleExporter exporter;
  QEventLoop loop;
  bool ok = false;
  connect(&exporter, &BundleExporter::finished, &loop,
          [&](bool success, const QString& why, const QStringList& written) {
            ok = success;
            if (error) *error = why;
            if (files) *files = written;
            loop.quit();
          });
  exporter.start(folder, figures);
  loop.exec(QEventLoop::ExcludeUserInputEvents);
  return ok;
}

} // namespace poslab
