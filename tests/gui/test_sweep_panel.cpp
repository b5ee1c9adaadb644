// The Sweep tab driven offscreen on the real stories260K model: a small sweep
// runs off the GUI thread (no event-loop stall over 100 ms), the plot holds
// exactly summary.json's numbers, the run is kept in the workspace and lists
// again in a new window, cancel stops a sweep and keeps its records, and the
// figure exports to PDF, SVG, PNG and CSV.
#include "app/gui/EngineController.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/LabWindow.h"
#include "tests/gui/StallMeter.h"
#include "tests/sweep/SweepTestData.h"
#include "tests/util/TestPaths.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QListWidget>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

using namespace poslab;
using poslab::test::StallMeter;

namespace {
constexpr int kLoadMs = 60'000;
constexpr int kSweepMs = 300'000;
} // namespace

class TestSweepPanel : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    workspace_ = test::isolatedWorkspace("test_sweep_panel", "gui-workspace");
    data_ = QString::fromStdString(test::writeStoryQa(workspace_.toStdString() + "/stories.jsonl", 4, 5));
    window_ = std::make_unique<MainWindow>();
    QCOMPARE(window_->sweepPanel()->workspace(), workspace_);
    QVERIFY(test::showWithModel(
        *window_, QString::fromStdString(test::sharedPath("models/stories260K/stories260K.gguf")),
        window_->size(), kLoadMs));
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  // Before any result the plot's x axis spans the chosen dataset's positions:
  // every document of an example, K when set, K of random distractors.
  void emptyPlotSpansTheDataset() {
    SweepPanel panel;
    const auto range = [&panel] {
      panel.plot()->replotNow();
      return panel.plot()->drawnPositionRange();
    };
    QCOMPARE(range(), QPointF(0.5, 5.5)); // no dataset yet
    const std::string twenty = test::writeStoryQa(workspace_.toStdString() + "/twenty.jsonl", 3, 20);
    panel.setDataPath(QString::fromStdString(twenty));
    QCOMPARE(range(), QPointF(0.5, 20.5));
    SweepSettings dataset;
    dataset.dataPath = twenty;
    dataset.docs = 8;
    panel.setDataset(dataset);
    QCOMPARE(range(), QPointF(0.5, 8.5));
    dataset.docs = 0;
    panel.setDataset(dataset);
    QCOMPARE(range(), QPointF(0.5, 20.5));
    dataset.randomDistractors = 12; // an oracle file: K documents from other questions
    panel.setDataset(dataset);
    QCOMPARE(range(), QPointF(0.5, 12.5));
  }

  void sweepRunsLiveAndPlotsSummary() {
    SweepPanel* panel = window_->sweepPanel();
    panel->setDataPath(data_);
    panel->setMaxNewTokens(8);
    QSignalSpy done(window_.get(), &MainWindow::sweepDone);
    QSignalSpy curves(window_->engine(), &EngineController::sweepCurve);
    StallMeter meter;
    panel->requestRun();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kSweepMs);
    const QString runDir = done.at(0).at(0).toString();
    QCOMPARE(done.at(0).at(1).toString(), QString("finished"));
    qInfo("%lld curve updates; %d ticks, worst gap %lld ms", static_cast<long long>(curves.count()),
          meter.ticks(), meter.worstGapMs());
    QVERIFY(meter.ticks() > 0);
    QVERIFY2(meter.worstGapMs() <= 100,
             qPrintable(QString("event loop stalled for %1 ms").arg(meter.worstGapMs())));

    // The plot holds summary.json's numbers (accuracy in %, 1-based positions).
    std::ifstream in(QDir(runDir).filePath("summary.json").toStdString());
    const auto summary = nlohmann::json::parse(in);
    const QString label = QFileInfo(runDir).fileName();
    SweepPlot* plot = panel->plot();
    plot->replotNow();
    const SweepCurve curve = plot->curve(label);
    QCOMPARE(curve.points.size(), qsizetype(5));
    for (const auto& row : summary["positions"]) {
      const int position = row["position"].get<int>();
      const auto it = std::find_if(curve.points.begin(), curve.points.end(),
                                   [&](const SweepPoint& p) { return p.position == position; });
      QVERIFY(it != curve.points.end());
      QCOMPARE(it->n, row["n"].get<int>());
      QCOMPARE(it->accuracy, row["accuracy"].get<double>());
    }
    const QVector<QPointF> drawn = plot->drawnAccuracy(label);
    QCOMPARE(drawn.size(), qsizetype(5));
    for (const QPointF& p : drawn) {
      const auto& row = summary["positions"][static_cast<size_t>(std::lround(p.x()) - 1)];
      QCOMPARE(p.y(), 100.0 * row["accuracy"].get<double>());
    }
    auto* runs = panel->findChild<QListWidget*>();
    QVERIFY(runs);
    QCOMPARE(runs->count(), 1);
    QCOMPARE(runs->item(0)->checkState(), Qt::Checked);

    // A new window (as after a restart) lists the run from the workspace.
    MainWindow again;
    QCOMPARE(again.sweepPanel()->findChild<QListWidget*>()->count(), 1);
  }

  void exportsFigureAndNumbers() {
    const QString dir = QString::fromStdString(test::tempDir("gui-export"));
    for (const char* suffix : {"pdf", "svg", "png", "csv"}) {
      const QString file = dir + "/accuracy." + suffix;
      QString error;
      PlotExporter::Options options;
      options.size = QString(suffix) == "png" ? QSize(1200, 800) : QSize();
      options.dpi = 200;
      QVERIFY2(PlotExporter::save(*window_->sweepPanel()->plot(), file, options, &error), qPrintable(error));
      QVERIFY(QFileInfo(file).size() > 100);
    }
    QCOMPARE(QImage(dir + "/accuracy.png").size(), QSize(1200, 800));
    QFile csv(dir + "/accuracy.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QVERIFY(csv.readAll().count('\n') >= 6); // a header and the 5 positions
  }

  void cancelKeepsRecords() {
    SweepPanel* panel = window_->sweepPanel();
    panel->setDataPath(QString::fromStdString(
        test::writeStoryQa(workspace_.toStdString() + "/stories-long.jsonl", 40, 5))); // 200 records
    panel->setLimit(0);
    panel->setMaxNewTokens(64);
    QSignalSpy done(window_.get(), &MainWindow::sweepDone);
    QSignalSpy progress(window_->engine(), &EngineController::sweepProgress);
    panel->requestRun();
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 2, kSweepMs); // the first record is in
    window_->engine()->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kSweepMs);
    QCOMPARE(done.at(0).at(1).toString(), QString("cancelled"));
    QFile log(QDir(done.at(0).at(0).toString()).filePath("examples.jsonl"));
    QVERIFY(log.open(QIODevice::ReadOnly));
    const qsizetype records = log.readAll().count('\n');
    QVERIFY2(records >= 1 && records < 20, qPrintable(QString::number(records)));
  }

private:
  std::unique_ptr<MainWindow> window_;
  QString workspace_, data_;
};

QTEST_MAIN(TestSweepPanel)
#include "test_sweep_panel.moc"
