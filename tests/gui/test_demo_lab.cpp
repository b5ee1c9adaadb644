// The lab on the bundled demo (resources/demo/, what `poslab` opens with no
// arguments), offscreen: a small sweep shows the demo's lost middle on the
// plot with exactly summary.json's numbers, the explorer's slider moves the
// gold record and the attention heatmap follows (right at position 1, the
// middle placement computed anew), and the figure exports to PDF, SVG, PNG
// and CSV.
#include "app/gui/ExplorerPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/LabWindow.h"
#include "tests/util/TestPaths.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest/QtTest>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

using namespace poslab;

class TestDemoLab : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    test::isolatedWorkspace("test_demo_lab", "gui-demo");
    window_ = std::make_unique<MainWindow>();
    QVERIFY(
        test::showWithModel(*window_, QString::fromStdString(test::resourcePath("demo/poslab-demo-llama"))));
    window_->sweepPanel()->setDataPath(QString::fromStdString(test::resourcePath("demo/heldout.jsonl.gz")));
    window_->sweepPanel()->setLimit(20);
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void sweepShowsTheLostMiddle() {
    SweepPanel* panel = window_->sweepPanel();
    QSignalSpy done(window_.get(), &MainWindow::sweepDone);
    panel->requestRun();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 300'000);
    QCOMPARE(done.at(0).at(1).toString(), QString("finished"));
    const QString runDir = done.at(0).at(0).toString();
    std::ifstream in(QDir(runDir).filePath("summary.json").toStdString());
    const auto summary = nlohmann::json::parse(in);
    QCOMPARE(summary["positions"].size(), size_t{20}); // the folder's K, with no option
    SweepPlot* plot = panel->plot();
    plot->replotNow();
    const QVector<QPointF> drawn = plot->drawnAccuracy(QFileInfo(runDir).fileName());
    QCOMPARE(drawn.size(), qsizetype(20));
    for (const QPointF& p : drawn)
      QCOMPARE(
          p.y(),
          100.0 *
              summary["positions"][static_cast<size_t>(std::lround(p.x()) - 1)]["accuracy"].get<double>());
    QVERIFY2(drawn[0].y() >= 80.0 && drawn[9].y() <= drawn[0].y() - 30.0,
             qPrintable(QString("position 1: %1 %, position 10: %2 %").arg(drawn[0].y()).arg(drawn[9].y())));
  }

  void sliderMovesTheGoldAndTheHeatmapFollows() {
    ExplorerPanel* panel = window_->explorerPanel();
    QSignalSpy shown(panel, &ExplorerPanel::placementShown);
    QVERIFY(window_->showView("explore"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 120'000);
    PlacementDetails first = shown.at(0).at(0).value<PlacementDetails>();
    QCOMPARE(first.goldPosition, 0);
    QCOMPARE(first.documents.size(), qsizetype(20));
    QCOMPARE(first.attention.layers, 2); // the demo model
    QCOMPARE(first.attention.heads, 4);
    QVERIFY2(first.correct, qPrintable("example 0 at position 1 answered " + first.prediction));
    auto* slider = panel->explorer()->findChild<QSlider*>();
    QVERIFY(slider);
    slider->setValue(slider->minimum() + 9);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 120'000);
    const PlacementDetails middle = shown.at(1).at(0).value<PlacementDetails>();
    QCOMPARE(middle.goldPosition, 9);
    QVERIFY(middle.documents[9].isGold);
    QCOMPARE(middle.attention.goldIndex, 9);
    QCOMPARE(panel->explorer()->details().goldPosition, 9);
    // The attention mass differs from the first placement's: the heatmap was recomputed.
    bool differs = false;
    for (int l = 0; l < middle.attention.layers; ++l)
      for (int h = 0; h < middle.attention.heads; ++h)
        for (int doc = 0; doc < middle.attention.documents; ++doc)
          differs =
              differs || std::abs(middle.attention.at(l, h, doc) - first.attention.at(l, h, doc)) > 1e-6;
    QVERIFY(differs);
  }

  void exportsTheFigure() {
    const QString dir = QString::fromStdString(test::tempDir("gui-demo-export"));
    for (const char* suffix : {"pdf", "svg", "png", "csv"}) {
      const QString file = dir + "/demo." + suffix;
      QString error;
      QVERIFY2(
          PlotExporter::save(*window_->sweepPanel()->plot(), file, {QSize(1600, 1000), 200, true}, &error),
          qPrintable(error));
      QVERIFY(QFileInfo(file).size() > 100);
    }
    QCOMPARE(QImage(dir + "/demo.png").size(), QSize(1600, 1000));
    QFile svg(dir + "/demo.svg");
    QVERIFY(svg.open(QIODevice::ReadOnly));
    QVERIFY(svg.readAll().contains("<svg"));
    QFile pdf(dir + "/demo.pdf");
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    QFile csv(dir + "/demo.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().count('\n') >= 21); // a header and the 20 positions
  }

private:
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(TestDemoLab)
#include "test_demo_lab.moc"
