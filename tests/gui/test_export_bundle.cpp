// "Export bundle": every figure as PDF, SVG and PNG and its numbers as CSV and
// JSON, plus manifest.json naming each file and where the figure came from.
// The files are checked as a reader would: PDF header, SVG that parses as XML,
// PNG that loads at the promised size, CSV with the figure's rows, JSON that
// parses; a bad figure name or no figure at all is refused with a reason. An
// export draws one figure per event-loop turn, reporting progress, and writes
// exactly the files PlotExporter draws for each figure. A cited run carries
// its summary's settings, model and data, or the reason it could not be read.
#include "app/gui/BundleExporter.h"
#include "app/gui/BundleRunSource.h"
#include "app/gui/DepthGrids.h"
#include "app/gui/SweepCurves.h"
#include "tests/gui/RunFolderData.h"
#include "tests/util/TestPaths.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTimer>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

QByteArray bytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Three figures with data, as the main window's views hold them.
struct ThreeFigures {
  SweepPlot plot;
  DepthHeatmap depth;
  AttentionMassHeatmap mass;
  QVector<BundleFigure> figures;

  ThreeFigures() {
    const std::string ws = test::tempDir("bundle-figures");
    const QString run =
        QString::fromStdString(test::writeRun(ws, "depth-1-t-k3", test::records({{1, 0, 1}, {0, 0, 1}}), 3));
    plot.resize(640, 420);
    plot.setCurve(*SweepCurves::fromRunFolder(run));
    depth.setGrid(*DepthGrids::fromRunFolders({run}));
    AttentionMassGrid grid;
    grid.documents = 2;
    grid.goldPositions = 2;
    grid.mass = {0.6f, 0.1f, 0.2f, 0.5f};
    grid.description = "test";
    mass.setMatrix(grid);
    figures = {{"accuracy_vs_position", &plot, QJsonObject{{"run", "depth-1-t-k3"}}},
               {"depth_vs_documents", &depth, QJsonObject{{"study", "depth-1-t"}}},
               {"attention_mass", &mass, QJsonObject{{"kind", "aggregate"}}}};
  }
};

} // namespace

class TestExportBundle : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void writesValidFilesAndManifest() {
    ThreeFigures three;
    const QVector<BundleFigure>& figures = three.figures;
    const QString folder = QString::fromStdString(test::tempDir("bundle")) + "/out";
    QString error;
    QStringList files;
    QVERIFY2(BundleExporter::write(folder, figures, &error, &files), qPrintable(error));
    QCOMPARE(files.size(), qsizetype(3 * 5 + 1));
    QCOMPARE(QFileInfo(files.last()).fileName(), QString("manifest.json"));

    const QJsonObject manifest = QJsonDocument::fromJson(bytes(folder + "/manifest.json")).object();
    QCOMPARE(manifest["poslab_version"].toString(), BundleExporter::version());
    QVERIFY(!manifest["created"].toString().isEmpty());
    const QJsonArray listed = manifest["figures"].toArray();
    QCOMPARE(listed.size(), qsizetype(3));
    const QList<int> rows{3, 3, 2 * 2}; // positions; positions × 1 count; gold × documents
    for (int i = 0; i < listed.size(); ++i) {
      const QJsonObject figure = listed[i].toObject();
      QCOMPARE(figure["name"].toString(), figures[i].name);
      QCOMPARE(figure["source"].toObject(), figures[i].source);
      const QJsonObject names = figure["files"].toObject();
      QCOMPARE(names.size(), qsizetype(5));
      const QString stem = folder + "/" + figures[i].name;
      for (const char* format : BundleExporter::kFormats)
        QCOMPARE(names[format].toString(), figures[i].name + "." + format);

      QVERIFY(bytes(stem + ".pdf").startsWith("%PDF-"));
      QXmlStreamReader svg(bytes(stem + ".svg"));
      bool sawSvg = false;
      while (!svg.atEnd())
        if (svg.readNext() == QXmlStreamReader::StartElement && svg.name() == QLatin1String("svg"))
          sawSvg = true;
      QVERIFY2(!svg.hasError(), qPrintable(svg.errorString()));
      QVERIFY(sawSvg);
      QCOMPARE(QImage(stem + ".png").size(), BundleExporter::pngSize());
      const QList<QByteArray> lines = bytes(stem + ".csv").trimmed().split('\n');
      QVERIFY2(lines.size() >= rows[i] + 1, qPrintable(QString("%1: %2 lines").arg(stem).arg(lines.size())));
      const int columns = static_cast<int>(lines[0].count(',')) + 1;
      for (const QByteArray& line : lines)
        QCOMPARE(static_cast<int>(line.count(',')) + 1, columns); // no field here holds a comma
      QJsonParseError parse{};
      const QJsonDocument json = QJsonDocument::fromJson(bytes(stem + ".json"), &parse);
      QCOMPARE(parse.error, QJsonParseError::NoError);
      QCOMPARE(json.object()["rows"].toArray().size(), qsizetype(lines.size() - 1));
    }
    // The accuracy figure's numbers are the run's: 1 of 2 right with the gold first.
    QVERIFY(bytes(folder + "/accuracy_vs_position.csv").contains(",0.5,"));
  }

  // Nothing is drawn inside start(); each figure is written in its own
  // event-loop turn (a zero timer ticks between them), with progress.
  void drawsOneFigurePerTurn() {
    ThreeFigures three;
    const QString folder = QString::fromStdString(test::tempDir("bundle-turns")) + "/out";
    BundleExporter exporter;
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(0);
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start();
    QList<int> ticksAtProgress;
    QStringList progressed;
    connect(&exporter, &BundleExporter::progress, this, [&](int done, int total, const QString& figure) {
      QCOMPARE(total, 3);
      QCOMPARE(done, progressed.size() + 1);
      progressed << figure;
      ticksAtProgress << ticks;
    });
    QSignalSpy finished(&exporter, &BundleExporter::finished);
    QVERIFY(exporter.start(folder, three.figures));
    QVERIFY(exporter.isRunning());
    QVERIFY(!exporter.start(folder, three.figures)); // one export at a time
    QVERIFY(!QFileInfo::exists(folder + "/accuracy_vs_position.pdf"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60'000);
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(progressed, (QStringList{"accuracy_vs_position", "depth_vs_documents", "attention_mass"}));
    for (int i = 1; i < ticksAtProgress.size(); ++i)
      QVERIFY2(ticksAtProgress[i] > ticksAtProgress[i - 1], "no event-loop turn between two figures");
    QCOMPARE(finished.at(0).at(2).toStringList().size(), qsizetype(3 * 5 + 1));
    QVERIFY(!exporter.isRunning());
  }

  // The bundle's files are byte for byte what PlotExporter draws for each figure
  // (PDFs carry their creation time: compared without it).
  void filesAreThePlotExportersOwn() {
    ThreeFigures three;
    const QString folder = QString::fromStdString(test::tempDir("bundle-same")) + "/out";
    QString error;
    QVERIFY2(BundleExporter::write(folder, three.figures, &error), qPrintable(error));
    const QString reference = QString::fromStdString(test::tempDir("bundle-reference"));
    static const QRegularExpression date("/CreationDate \\([^)]*\\)");
    for (const BundleFigure& figure : three.figures)
      for (const char* format : BundleExporter::kFormats) {
        const QString name = figure.name + "." + format;
        PlotExporter::Options options;
        if (QByteArray(format) == "png") {
          options.size = BundleExporter::pngSize();
          options.dpi = BundleExporter::kPngDpi;
        }
        QVERIFY2(PlotExporter::save(*figure.plot, reference + "/" + name, options, &error),
                 qPrintable(error));
        QString a = QString::fromLatin1(bytes(folder + "/" + name));
        QString b = QString::fromLatin1(bytes(reference + "/" + name));
        QVERIFY(!a.isEmpty());
        if (QByteArray(format) == "pdf") {
          a.remove(date);
          b.remove(date);
        }
        QVERIFY2(a == b, qPrintable(name));
      }
  }

  void refusesWhatCannotBeWritten() {
    QString error;
    QVERIFY(!BundleExporter::write(QString::fromStdString(test::tempDir("bundle-empty")), {}, &error));
    QVERIFY2(error.contains("nothing to export"), qPrintable(error));
    SweepPlot plot;
    QVERIFY(!BundleExporter::write(QString::fromStdString(test::tempDir("bundle-bad")),
                                   {{"../escape", &plot, {}}}, &error));
    QVERIFY2(error.contains("../escape"), qPrintable(error));
  }

  // A run the manifest cites: summary.json's settings, model and data as they
  // are (any JSON type), or one line naming the file that could not be read.
  void citesARunAsItsSummarySays() {
    const QString dir = QString::fromStdString(test::tempDir("bundle-run-source") + "/sweep-7");
    QVERIFY(QDir().mkpath(dir));
    QFile f(dir + "/summary.json");
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"settings": {"docs": 20}, "model": "by hand", "data": [1], "status": "finished"})");
    f.close();
    QJsonObject cited = BundleRunSource::read(dir);
    QCOMPARE(cited["run"].toString(), QString("sweep-7"));
    QCOMPARE(cited["settings"].toObject()["docs"].toInt(), 20);
    QCOMPARE(cited["model"].toString(), QString("by hand"));
    QCOMPARE(cited["data"].toArray().size(), qsizetype(1));
    QVERIFY(!cited.contains("error") && !cited.contains("status"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("{\"settings\": {");
    f.close();
    cited = BundleRunSource::read(dir);
    QVERIFY2(cited["error"].toString().startsWith(dir + "/summary.json: not valid JSON"),
             qPrintable(cited["error"].toString()));
  }
};

QTEST_MAIN(TestExportBundle)
#include "test_export_bundle.moc"
