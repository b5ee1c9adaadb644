// "Export bundle": every figure as PDF, SVG and PNG and its numbers as CSV and
// JSON, plus manifest.json naming each file and where the figure came from.
// The files are checked as a reader would: PDF header, SVG that parses as XML,
// PNG that loads at the promised size, CSV with the figure's rows, JSON that
// parses; a bad figure name or no figure at all is refused with a reason.
#include "app/gui/BundleExporter.h"
#include "app/gui/DepthGrids.h"
#include "app/gui/SweepCurves.h"
#include "tests/gui/RunFolderData.h"
#include "tests/util/TestPaths.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/SweepPlot.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

QByteArray bytes(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestExportBundle : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void writesValidFilesAndManifest() {
    const std::string ws = test::tempDir("bundle-runs");
    const QString run =
        QString::fromStdString(test::writeRun(ws, "depth-1-t-k3", test::records({{1, 0, 1}, {0, 0, 1}}), 3));
    SweepPlot plot;
    plot.resize(640, 420);
    plot.setCurve(*SweepCurves::fromRunFolder(run));
    DepthHeatmap depth;
    depth.setGrid(*DepthGrids::fromRunFolders({run}));
    AttentionMassHeatmap mass;
    AttentionMassGrid grid;
    grid.documents = 2;
    grid.goldPositions = 2;
    grid.mass = {0.6f, 0.1f, 0.2f, 0.5f};
    grid.description = "test";
    mass.setMatrix(grid);

    const QString folder = QString::fromStdString(test::tempDir("bundle")) + "/out";
    const QVector<BundleFigure> figures{{"accuracy_vs_position", &plot, QJsonObject{{"run", "depth-1-t-k3"}}},
                                        {"depth_vs_documents", &depth, QJsonObject{{"study", "depth-1-t"}}},
                                        {"attention_mass", &mass, QJsonObject{{"kind", "aggregate"}}}};
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

  void refusesWhatCannotBeWritten() {
    QString error;
    QVERIFY(!BundleExporter::write(QString::fromStdString(test::tempDir("bundle-empty")), {}, &error));
    QVERIFY2(error.contains("nothing to export"), qPrintable(error));
    SweepPlot plot;
    QVERIFY(!BundleExporter::write(QString::fromStdString(test::tempDir("bundle-bad")),
                                   {{"../escape", &plot, {}}}, &error));
    QVERIFY2(error.contains("../escape"), qPrintable(error));
  }
};

QTEST_MAIN(TestExportBundle)
#include "test_export_bundle.moc"
