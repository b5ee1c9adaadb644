#include "widgets/PlotExporter.h"

#include "widgets/ExportablePlot.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>
#include <QXmlStreamReader>
#include <cmath>
#include <qcustomplot.h>

namespace poslab {

namespace {

constexpr int kVectorDpi = 96;

bool failWith(QString* error, const QString& path, const QString& detail) {
  if (error) *error = QStringLiteral("%1: %2").arg(QFileInfo(path).fileName(), detail);
  return false;
}

QSize plotSize(QCustomPlot* plot, QSize size) {
  if (!size.isEmpty()) return size;
  const QSize shown = plot->size();
  return shown.isEmpty() ? QSize(640, 420) : shown;
}

// Writes `bytes` through a QSaveFile (renamed into place on commit).
bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly)) return failWith(error, path, file.errorString());
  if (file.write(bytes) != bytes.size()) return failWith(error, path, file.errorString());
  if (!file.commit()) return failWith(error, path, file.errorString());
  return true;
}

// Draws the whole plot into `device` at `size` logical pixels, vector output kept vector.
void paintVector(QCustomPlot* plot, QPaintDevice* device, QSize size) {
  QCPPainter painter;
  painter.begin(device);
  painter.setMode(QCPPainter::pmVectorized);
  painter.setMode(QCPPainter::pmNoCaching);
  painter.setWindow(QRect(QPoint(0, 0), size));
  plot->toPainter(&painter, size.width(), size.height());
  painter.end();
}

QString csvField(const QVariant& cell) {
  if (!cell.isValid() || cell.isNull()) return {};
  if (cell.typeId() == QMetaType::Double || cell.typeId() == QMetaType::Float) {
    const double v = cell.toDouble();
    // The shortest text that reads back as the same double: exact and readable.
    return std::isfinite(v) ? QString::number(v, 'g', QLocale::FloatingPointShortest) : QString();
  }
  QString text = cell.toString();
  if (text.contains(QLatin1Char(',')) || text.contains(QLatin1Char('"')) ||
      text.contains(QLatin1Char('\n')) || text.contains(QLatin1Char('\r')))
    text = QLatin1Char('"') + text.replace(QLatin1String("\""), QLatin1String("\"\"")) + QLatin1Char('"');
  return text;
}

QJsonValue jsonValue(const QVariant& cell) {
  if (!cell.isValid() || cell.isNull()) return QJsonValue::Null;
  switch (cell.typeId()) {
  case QMetaType::Double:
  case QMetaType::Float: {
    const double v = cell.toDouble();
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
  }
  case QMetaType::Int:
  case QMetaType::LongLong:
  case QMetaType::UInt:
  case QMetaType::ULongLong:
    return QJsonValue(cell.toLongLong());
  case QMetaType::Bool:
    return QJsonValue(cell.toBool());
  default:
    return QJsonValue(cell.toString());
  }
}

} // namespace

bool PlotExporter::savePdf(QCustomPlot* plot, const QString& path, QSize size, QString* error) {
  // The plot is laid out at 96 logical pixels an inch, as on screen and in PNGs, and the
  // page is its physical size: text keeps its point size whatever the page (a 9 pt label
  // is 9 pt on the page, as in a PNG of the same inches at any DPI).
  const QSize layout = size.isEmpty() ? plotSize(plot, size)
                                      : QSize(qRound(size.width() * kVectorDpi / 72.0),
                                              qRound(size.height() * kVectorDpi / 72.0));
  const QSizeF page = size.isEmpty() ? QSizeF(layout) * 72.0 / kVectorDpi : QSizeF(size);
  QByteArray bytes;
  {
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    // Fonts are sized for this resolution; at the screen's 96 dpi the figure keeps the
    // proportions it has on screen (QPdfWriter's default 1200 dpi blows text up).
    writer.setResolution(kVectorDpi);
    writer.setCreator(QStringLiteral("PosLab"));
    writer.setTitle(QFileInfo(path).completeBaseName());
    writer.setPageLayout(QPageLayout(QPageSize(page, QPageSize::Point, QString(), QPageSize::ExactMatch),
                                     QPageLayout::Portrait, QMarginsF(0, 0, 0, 0)));
    paintVector(plot, &writer, layout);
  }
  if (!bytes.startsWith("%PDF-"))
    return failWith(error, path, QStringLiteral("the PDF writer produced no PDF"));
  return writeAtomically(path, bytes, error);
}

bool PlotExporter::saveSvg(QCustomPlot* plot, const QString& path, QSize size, QString* error) {
  size = plotSize(plot, size);
  QByteArray bytes;
  {
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setResolution(kVectorDpi);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    generator.setTitle(QFileInfo(path).completeBaseName());
    generator.setDescription(QStringLiteral("PosLab figure"));
    paintVector(plot, &generator, size);
  }
  QXmlStreamReader xml(bytes);
  bool sawSvg = false;
  while (!xml.atEnd()) {
    if (xml.readNext() == QXmlStreamReader::StartElement && !sawSvg) {
      if (xml.name() != QLatin1String("svg"))
        return failWith(error, path, QStringLiteral("the SVG writer produced no <svg> root"));
      sawSvg = true;
    }
  }
  if (xml.hasError() || !sawSvg)
    return failWith(error, path,
                    QStringLiteral("the SVG writer produced invalid XML: %1").arg(xml.errorString()));
  return writeAtomically(path, bytes, error);
}

bool PlotExporter::savePng(QCustomPlot* plot, const QString& path, QSize pixels, int dpi, QString* error) {
  if (pixels.isEmpty() || pixels.width() > 20000 || pixels.height() > 20000)
    return failWith(error, path,
                    QStringLiteral("image size %1×%2 is not between 1 and 20000 pixels")
                        .arg(pixels.width())
                        .arg(pixels.height()));
  if (dpi < 24 || dpi > 2400)
    return failWith(error, path, QStringLiteral("resolution %1 dpi is not between 24 and 2400").arg(dpi));
  const double scale = dpi / 96.0;
  // The plot is laid out at the logical size; the scaled painter fills exactly `pixels`.
  const QSize logical(static_cast<int>(std::ceil(pixels.width() / scale)),
                      static_cast<int>(std::ceil(pixels.height() / scale)));
  QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
  image.fill(plot->palette().color(QPalette::Base));
  {
    QCPPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    painter.setMode(QCPPainter::pmNoCaching);
    plot->toPainter(&painter, logical.width(), logical.height());
  }
  const int dotsPerMeter = static_cast<int>(std::lround(dpi / 0.0254));
  image.setDotsPerMeterX(dotsPerMeter);
  image.setDotsPerMeterY(dotsPerMeter);
  QByteArray bytes;
  {
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) return failWith(error, path, QStringLiteral("PNG encoding failed"));
  }
  {
    QBuffer check(&bytes);
    QImageReader reader(&check, "PNG");
    if (reader.size() != pixels)
      return failWith(error, path, QStringLiteral("the PNG encoder produced an image of the wrong size"));
  }
  return writeAtomically(path, bytes, error);
}

QByteArray PlotExporter::toCsv(const PlotData& data) {
  QStringList lines;
  QStringList header;
  for (const QString& column : data.columns)
    header << csvField(column);
  lines << header.join(QLatin1Char(','));
  for (const QVector<QVariant>& row : data.rows) {
    QStringList fields;
    for (const QVariant& cell : row)
      fields << csvField(cell);
    lines << fields.join(QLatin1Char(','));
  }
  return (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8();
}

QByteArray PlotExporter::toJson(const PlotData& data) {
  QJsonArray rows;
  for (const QVector<QVariant>& row : data.rows) {
    QJsonObject object;
    for (int c = 0; c < data.columns.size() && c < row.size(); ++c)
      object.insert(data.columns[c], jsonValue(row[c]));
    rows.append(object);
  }
  QJsonObject root;
  root.insert(QStringLiteral("name"), data.name);
  root.insert(QStringLiteral("description"), data.description);
  root.insert(QStringLiteral("columns"), QJsonArray::fromStringList(data.columns));
  root.insert(QStringLiteral("rows"), rows);
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool PlotExporter::saveCsv(const PlotData& data, const QString& path, QString* error) {
  return writeAtomically(path, toCsv(data), error);
}

bool PlotExporter::saveJson(const PlotData& data, const QString& path, QString* error) {
  return writeAtomically(path, toJson(data), error);
}

QPalette PlotExporter::paperPalette() {
  QPalette palette;
  for (QPalette::ColorRole role : {QPalette::Window, QPalette::Button, QPalette::AlternateBase})
    palette.setColor(role, QColor(0xf0, 0xf0, 0xf0));
  for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    palette.setColor(role, Qt::black);
  palette.setColor(QPalette::Base, Qt::white);
  palette.setColor(QPalette::Mid, QColor(0xa0, 0xa0, 0xa0));
  palette.setColor(QPalette::PlaceholderText, QColor(0x80, 0x80, 0x80));
  return palette;
}

bool PlotExporter::save(const ExportablePlot& plot, const QString& path, const Options& options,
                        QString* error) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("csv")) return saveCsv(plot.plotData(), path, error);
  if (suffix == QLatin1String("json")) return saveJson(plot.plotData(), path, error);
  if (suffix != QLatin1String("pdf") && suffix != QLatin1String("svg") && suffix != QLatin1String("png"))
    return failWith(error, path,
                    QStringLiteral("unknown export format '.%1' (pdf, svg, png, csv or json)").arg(suffix));

  // Re-theme the view for the export (its palette-change handling redraws the plot),
  // then give it back the palette it had, inherited or its own.
  auto* widget = dynamic_cast<QWidget*>(const_cast<ExportablePlot*>(&plot));
  const bool repaint = options.paperPalette && widget && widget->palette() != paperPalette();
  const bool ownPalette = widget && widget->testAttribute(Qt::WA_SetPalette);
  const QPalette previous = widget ? widget->palette() : QPalette();
  if (repaint) widget->setPalette(paperPalette());
  QCustomPlot* customPlot = plot.customPlot();
  bool ok = false;
  if (suffix == QLatin1String("pdf")) ok = savePdf(customPlot, path, options.size, error);
  if (suffix == QLatin1String("svg")) ok = saveSvg(customPlot, path, options.size, error);
  if (suffix == QLatin1String("png"))
    ok = savePng(customPlot, path, plotSize(customPlot, options.size), options.dpi, error);
  if (repaint) widget->setPalette(ownPalette ? previous : QPalette());
  return ok;
}

} // namespace poslab
