#include "app/gui/BundleExporter.h"

#include "widgets/ExportablePlot.h"
#include "widgets/PlotExporter.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

namespace poslab {

QString BundleExporter::version() {
  return QStringLiteral(POSLAB_VERSION);
}

bool BundleExporter::write(const QString& folder, const QVector<BundleFigure>& figures, QString* error,
                           QStringList* files) {
  static const QRegularExpression stem("^[A-Za-z0-9_-]+$");
  const auto failWith = [error](const QString& why) {
    if (error) *error = why;
    return false;
  };
  if (figures.isEmpty())
    return failWith(QObject::tr("%1: nothing to export (no figure has data yet)").arg(folder));
  if (!QDir().mkpath(folder)) return failWith(QObject::tr("%1: cannot create the folder").arg(folder));
  const QDir dir(folder);

  QJsonArray figureList;
  for (const BundleFigure& figure : figures) {
    if (!figure.plot || !stem.match(figure.name).hasMatch())
      return failWith(QObject::tr("%1: figure name '%2' is not a plain file stem").arg(folder, figure.name));
    QJsonObject written;
    for (const char* format : kFormats) {
      const QString file = dir.filePath(figure.name + "." + format);
      PlotExporter::Options options;
      if (QByteArray(format) == "png") {
        options.size = pngSize();
        options.dpi = kPngDpi;
      }
      QString why;
      if (!PlotExporter::save(*figure.plot, file, options, &why)) return failWith(why);
      written[format] = QFileInfo(file).fileName();
      if (files) *files << file;
    }
    QJsonObject entry;
    entry["name"] = figure.name;
    entry["description"] = figure.plot->plotData().description;
    entry["files"] = written;
    entry["png"] =
        QJsonObject{{"width", pngSize().width()}, {"height", pngSize().height()}, {"dpi", kPngDpi}};
    entry["source"] = figure.source;
    figureList.append(entry);
  }

  QJsonObject manifest;
  manifest["poslab_version"] = version();
  manifest["created"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
  manifest["figures"] = figureList;
  const QString path = dir.filePath("manifest.json");
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(manifest).toJson()) < 0 || !out.commit())
    return failWith(QObject::tr("%1: %2").arg(path, out.errorString()));
  if (files) *files << path;
  return true;
}

} // namespace poslab
