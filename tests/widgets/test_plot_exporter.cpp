// Exported figures are valid files of the asked-for kind and size, and the numbers
// behind a plot survive the round trip through CSV and JSON.
#include "tests/util/TestPaths.h"
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QFile>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

QByteArray readAll(const QString& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Minimal RFC 4180 reader for the round trip.
QVector<QStringList> parseCsv(const QByteArray& bytes) {
  QVector<QStringList> rows;
  QStringList row;
  QString field;
  bool quoted = false;
  const QString text = QString::fromUtf8(bytes);
  for (int i = 0; i < text.size(); ++i) {
    const QChar ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      row << field;
      field.clear();
    } else if (ch == '\n') {
      row << field;
      rows << row;
      row.clear();
      field.clear();
    } else {
      field += ch;
    }
  }
  return rows;
}

} // namespace

class TestPlotExporter : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase();
  void pdfIsAPdf();
  void svgIsXmlWithTheLabels();
  void pngHasTheRequestedSizeAndDpi_data();
  void pngHasTheRequestedSizeAndDpi();
  void badPngSettingsAreRefused();
  void csvRoundTrips();
  void jsonRoundTrips();
  void saveChoosesTheFormatBySuffix_data();
  void saveChoosesTheFormatBySuffix();
  void unwritablePathFailsCleanly();
  void paperPaletteIsWhiteAndTemporary_data();
  void paperPaletteIsWhiteAndTemporary();

private:
  QTemporaryDir dir_;
  std::unique_ptr<SweepPlot> sweep_;
};

void TestPlotExporter::initTestCase() {
  QVERIFY(dir_.isValid());
  sweep_ = std::make_unique<SweepPlot>();
  sweep_->resize(800, 560);
  sweep_->setCurve(testdata::mistralBase());
  sweep_->setCurve(testdata::mistralPos2Distill());
  sweep_->setComparison(testdata::comparison(testdata::mistralBase(), testdata::mistralPos2Distill()));
  sweep_->replotNow();
}

void TestPlotExporter::pdfIsAPdf() {
  const QString path = dir_.filePath("sweep.pdf");
  QString error;
  QVERIFY2(PlotExporter::savePdf(sweep_->customPlot(), path, QSize(480, 320), &error), qPrintable(error));
  const QByteArray pdf = readAll(path);
  QVERIFY(pdf.startsWith("%PDF-"));
  QVERIFY(pdf.contains("%%EOF"));
  const QRegularExpression mediaBox(R"(/MediaBox \[0 0 480(\.0+)? 320(\.0+)?\])");
  QVERIFY2(mediaBox.match(QString::fromLatin1(pdf)).hasMatch(), "the page is the figure's size in points");
}

void TestPlotExporter::svgIsXmlWithTheLabels() {
  const QString path = dir_.filePath("sweep.svg");
  QString error;
  QVERIFY2(PlotExporter::saveSvg(sweep_->customPlot(), path, QSize(640, 440), &error), qPrintable(error));
  const QByteArray svg = readAll(path);
  QXmlStreamReader xml(svg);
  QString root;
  int texts = 0;
  QString allText;
  while (!xml.atEnd()) {
    if (xml.readNext() == QXmlStreamReader::StartElement) {
      if (root.isEmpty()) root = xml.name().toString();
      if (xml.name() == QLatin1String("text")) {
        ++texts;
        allText += xml.readElementText(QXmlStreamReader::IncludeChildElements) + "\n";
      }
    }
  }
  QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
  QCOMPARE(root, QStringLiteral("svg"));
  // Text stays text (editable, searchable in a paper): axis label and legend entries.
  QVERIFY(texts > 10);
  QVERIFY2(allText.contains("Accuracy (%)"), qPrintable(allText.left(400)));
  QVERIFY(allText.contains("Mistral-7B Pos2Distill"));
}

void TestPlotExporter::pngHasTheRequestedSizeAndDpi_data() {
  QTest::addColumn<QSize>("pixels");
  QTest::addColumn<int>("dpi");
  QTest::newRow("screen") << QSize(640, 400) << 96;
  QTest::newRow("print, odd size") << QSize(1951, 1237) << 300;
  QTest::newRow("low dpi") << QSize(301, 203) << 72;
}

void TestPlotExporter::pngHasTheRequestedSizeAndDpi() {
  QFETCH(QSize, pixels);
  QFETCH(int, dpi);
  const QString path = dir_.filePath(QStringLiteral("sweep-%1.png").arg(dpi));
  QString error;
  QVERIFY2(PlotExporter::savePng(sweep_->customPlot(), path, pixels, dpi, &error), qPrintable(error));
  QImageReader reader(path);
  QCOMPARE(QByteArray(reader.format()), QByteArray("png"));
  const QImage image = reader.read();
  QCOMPARE(image.size(), pixels);
  QVERIFY(qAbs(image.dotsPerMeterX() * 0.0254 - dpi) < 0.5);
  // Something was drawn: not one flat colour.
  const QRgb corner = image.pixel(0, 0);
  bool varied = false;
  for (int y = 0; y < image.height() && !varied; y += 7)
    for (int x = 0; x < image.width() && !varied; x += 7)
      varied = image.pixel(x, y) != corner;
  QVERIFY(varied);
}

void TestPlotExporter::badPngSettingsAreRefused() {
  QString error;
  const QString path = dir_.filePath("bad.png");
  QVERIFY(!PlotExporter::savePng(sweep_->customPlot(), path, QSize(0, 100), 96, &error));
  QVERIFY(error.startsWith("bad.png: "));
  QVERIFY(!PlotExporter::savePng(sweep_->customPlot(), path, QSize(100, 100), 5, &error));
  QVERIFY(error.contains("dpi"));
  QVERIFY(!QFile::exists(path));
}

void TestPlotExporter::csvRoundTrips() {
  PlotData table;
  table.name = "t";
  table.columns = {"run", "position", "accuracy", "note"};
  table.rows = {{QStringLiteral("base, v2"), 1, 0.742, QVariant()},
                {QStringLiteral("say \"hi\""), 2, 1.0 / 3.0, QStringLiteral("two\nlines")}};
  const QString path = dir_.filePath("table.csv");
  QString error;
  QVERIFY2(PlotExporter::saveCsv(table, path, &error), qPrintable(error));
  const QVector<QStringList> rows = parseCsv(readAll(path));
  QCOMPARE(rows.size(), 3);
  QCOMPARE(rows[0], table.columns);
  QCOMPARE(rows[1], QStringList({"base, v2", "1", "0.742", ""}));
  QCOMPARE(rows[2][0], QStringLiteral("say \"hi\""));
  QCOMPARE(rows[2][2].toDouble(), 1.0 / 3.0); // full precision
  QCOMPARE(rows[2][3], QStringLiteral("two\nlines"));
  // The sweep's own table: one line per row plus the header.
  const QByteArray sweepCsv = PlotExporter::toCsv(sweep_->plotData());
  QCOMPARE(parseCsv(sweepCsv).size(), sweep_->plotData().rows.size() + 1);
}

void TestPlotExporter::jsonRoundTrips() {
  const PlotData table = sweep_->plotData();
  const QString path = dir_.filePath("sweep.json");
  QString error;
  QVERIFY2(PlotExporter::saveJson(table, path, &error), qPrintable(error));
  QJsonParseError parseError;
  const QJsonDocument doc = QJsonDocument::fromJson(readAll(path), &parseError);
  QCOMPARE(parseError.error, QJsonParseError::NoError);
  const QJsonObject root = doc.object();
  QCOMPARE(root["name"].toString(), QStringLiteral("sweep"));
  QCOMPARE(root["columns"].toArray().size(), table.columns.size());
  const QJsonArray rows = root["rows"].toArray();
  QCOMPARE(rows.size(), table.rows.size());
  const QJsonObject first = rows[0].toObject();
  QCOMPARE(first["run"].toString(), testdata::mistralBase().label);
  QCOMPARE(first["position"].toInt(), 1);
  QCOMPARE(first["accuracy"].toDouble(), testdata::mistralBase().points[0].accuracy);
  QVERIFY(first["p_value"].isNull()); // missing is null, not 0
}

void TestPlotExporter::saveChoosesTheFormatBySuffix_data() {
  QTest::addColumn<QString>("name");
  QTest::addColumn<QByteArray>("start");
  QTest::newRow("pdf") << "a.pdf" << QByteArray("%PDF-");
  QTest::newRow("svg") << "a.svg" << QByteArray("<?xml");
  QTest::newRow("png") << "a.PNG" << QByteArray("\x89PNG");
  QTest::newRow("csv") << "a.csv" << QByteArray("layer,document,");
  QTest::newRow("json") << "a.json" << QByteArray("{");
}

void TestPlotExporter::saveChoosesTheFormatBySuffix() {
  QFETCH(QString, name);
  QFETCH(QByteArray, start);
  AttentionHeatmap heatmap;
  heatmap.resize(600, 400);
  heatmap.setGrid(testdata::sinkHeavyGrid(8, 4, 10, 3));
  const QString path = dir_.filePath(name);
  QString error;
  QVERIFY2(PlotExporter::save(heatmap, path, {QSize(500, 350), 150}, &error), qPrintable(error));
  QVERIFY(readAll(path).startsWith(start));
  if (name.endsWith("PNG")) QCOMPARE(QImage(path).size(), QSize(500, 350));
}

void TestPlotExporter::unwritablePathFailsCleanly() {
  QString error;
  const QString missing = dir_.filePath("no/such/folder/a.pdf");
  QVERIFY(!PlotExporter::savePdf(sweep_->customPlot(), missing, {}, &error));
  QVERIFY2(error.startsWith("a.pdf: "), qPrintable(error));
  QVERIFY(!PlotExporter::save(*sweep_, dir_.filePath("a.docx"), {}, &error));
  QVERIFY2(error.contains("unknown export format"), qPrintable(error));
  QVERIFY(!QFile::exists(dir_.filePath("a.docx")));
}

void TestPlotExporter::paperPaletteIsWhiteAndTemporary_data() {
  QTest::addColumn<bool>("paper");
  QTest::newRow("paper palette") << true;
  QTest::newRow("as shown") << false;
}

void TestPlotExporter::paperPaletteIsWhiteAndTemporary() {
  QFETCH(bool, paper);
  SweepPlot plot;
  plot.resize(600, 420);
  plot.setCurve(testdata::gpt35Curve());
  QPalette dark;
  dark.setColor(QPalette::Base, QColor(30, 30, 32));
  dark.setColor(QPalette::Text, QColor(220, 220, 220));
  dark.setColor(QPalette::Window, QColor(45, 45, 48));
  plot.setPalette(dark);
  plot.replotNow();
  const QString path = dir_.filePath(QStringLiteral("palette-%1.png").arg(paper));
  QString error;
  PlotExporter::Options options;
  options.size = QSize(300, 200);
  options.paperPalette = paper;
  QVERIFY2(PlotExporter::save(plot, path, options, &error), qPrintable(error));
  const QImage image(path);
  QCOMPARE(image.size(), QSize(300, 200));
  QCOMPARE(QColor(image.pixel(2, 2)), paper ? QColor(Qt::white) : QColor(30, 30, 32));
  // The view keeps its own palette afterwards.
  QCOMPARE(plot.palette().color(QPalette::Base), QColor(30, 30, 32));
}

QTEST_MAIN(TestPlotExporter)
#include "test_plot_exporter.moc"
