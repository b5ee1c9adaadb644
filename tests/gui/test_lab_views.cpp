// The lab's newer views on the real stories260K model, offscreen: the model
// dialog's memory estimate before loading, a cancelled load that leaves the
// app usable, the aggregate view (attention mass per document × gold
// position) computed in the background without stalling the event loop and
// cancellable, the token-level map of one layer/head, a depth study that
// sweeps per number of documents and reopens in a new window, and the export
// bundle of everything shown with the model's and data's fingerprints.
#include "app/gui/AggregatePanel.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/EngineController.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/ModelOpenDialog.h"
#include "app/gui/SweepPanel.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/StallMeter.h"
#include "tests/sweep/SweepTestData.h"
#include "tests/util/TestPaths.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/SweepPlot.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QtTest/QtTest>
#include <cmath>
#include <memory>

using namespace poslab;
using poslab::test::StallMeter;

namespace {
constexpr int kLoadMs = 60'000;
constexpr int kWorkMs = 300'000;
} // namespace

class TestLabViews : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    workspace_ = test::isolatedWorkspace("test_lab_views", "lab-views");
    model_ = QDir::cleanPath(QString::fromStdString(test::sharedPath("models/stories260K/stories260K.gguf")));
    data_ = QString::fromStdString(test::writeStoryQa(workspace_.toStdString() + "/stories.jsonl", 6, 3));
    window_ = std::make_unique<MainWindow>();
    window_->resize(1200, 800);
    window_->show();
    QVERIFY(QTest::qWaitForWindowExposed(window_.get()));
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void modelDialogEstimatesBeforeLoading() {
    ModelOpenDialog dialog({model_}, {{"CPU · f32", "cpu|f32"}, {"CPU · bf16", "cpu|bf16"}}, "cpu|f32");
    QSignalSpy estimated(&dialog, &ModelOpenDialog::estimated);
    QTRY_COMPARE_WITH_TIMEOUT(estimated.count(), 1, kLoadMs);
    QVERIFY(estimated.at(0).at(1).toString().isEmpty());
    const ModelSummary f32 = dialog.estimate();
    QVERIFY(!f32.loaded);
    QCOMPARE(f32.layers, qint64(5));
    QVERIFY(f32.parameters > 250'000 && f32.parameters < 350'000);
    QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open)->isEnabled());
    QVERIFY2(dialog.estimateText().contains("MiB"), qPrintable(dialog.estimateText()));
    QVERIFY(!window_->engine()->hasModel()); // nothing was loaded to estimate

    // bf16 halves the weights; a file that is no model is a readable error and no Open.
    dialog.findChildren<QComboBox*>().at(1)->setCurrentIndex(1);
    QTRY_COMPARE_WITH_TIMEOUT(estimated.count(), 2, kLoadMs);
    QCOMPARE(dialog.estimate().weightBytes * 2, f32.weightBytes);
    dialog.findChildren<QComboBox*>().at(0)->setCurrentText(data_);
    QTRY_COMPARE_WITH_TIMEOUT(estimated.count(), 3, kLoadMs);
    QVERIFY(!estimated.at(2).at(1).toString().isEmpty());
    QVERIFY(!dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Open)->isEnabled());
  }

  void cancelledLoadLeavesAppUsable() {
    QSignalSpy cancelled(window_.get(), &MainWindow::loadCancelled);
    QSignalSpy ready(window_.get(), &MainWindow::modelReady);
    // stories260K loads in milliseconds, so the Cancel is pressed the moment the
    // load begins (busyChanged is emitted before the job is queued): the loader
    // then finds the flag set before its first tensor, whatever the timing.
    // (test_mainwindow cancels a bigger load half-way.)
    QSignalSpy progress(window_->engine(), &EngineController::loadProgress);
    bool buttonShown = false;
    const auto pressCancel = connect(window_->engine(), &EngineController::busyChanged, this, [&](bool busy) {
      if (!busy) return;
      buttonShown = window_->findChild<QPushButton*>("cancelLoadButton")->isVisibleTo(window_.get());
      window_->engine()->cancel();
    });
    window_->openModel(model_);
    disconnect(pressCancel);
    QVERIFY(buttonShown);
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, kLoadMs);
    QCOMPARE(ready.count(), 0);
    QCOMPARE(progress.count(), 0); // not a byte of weights was read
    QVERIFY(!window_->engine()->hasModel());
    QVERIFY(!window_->engine()->isBusy());
    QVERIFY(!window_->findChild<QPushButton*>("cancelLoadButton")->isVisibleTo(window_.get()));

    window_->openModel(model_); // and the next load works
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, kLoadMs);
    SweepSettings dataset = window_->sweepPanel()->settings();
    dataset.dataPath = data_.toStdString();
    window_->sweepPanel()->setDataset(dataset);
    window_->sweepPanel()->setMaxNewTokens(6);
    QCOMPARE(window_->sweepPanel()->recentData().value(0), QFileInfo(data_).absoluteFilePath());
  }

  void aggregateRunsInBackground() {
    AggregatePanel* panel = window_->aggregatePanel();
    window_->showView("aggregate");
    panel->setExamples(3);
    QSignalSpy done(window_.get(), &MainWindow::aggregateDone);
    QSignalSpy progress(window_->engine(), &EngineController::aggregateProgress);
    StallMeter meter;
    panel->requestCompute();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWorkMs);
    QCOMPARE(done.at(0).at(0).toBool(), true);
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.last().at(0).toInt(), 9); // 3 examples × 3 positions
    QCOMPARE(progress.last().at(1).toInt(), 9);
    qInfo("aggregate: worst event-loop gap %lld ms over %d ticks", meter.worstGapMs(), meter.ticks());
    QVERIFY2(meter.worstGapMs() <= 100, qPrintable(QString("stalled %1 ms").arg(meter.worstGapMs())));

    const AttentionMassGrid& grid = panel->heatmap()->matrix();
    QCOMPARE(grid.documents, 3);
    QCOMPARE(grid.goldPositions, 3);
    for (int g = 0; g < 3; ++g) {
      double sum = 0;
      for (int d = 0; d < 3; ++d) {
        QVERIFY(grid.at(d, g) >= 0);
        sum += grid.at(d, g);
      }
      QVERIFY2(sum > 0 && sum <= 1.0 + 1e-4, qPrintable(QString::number(sum)));
    }
    QCOMPARE(panel->heatmap()->heatmap()->drawnSize(), QSize(3, 3));
  }

  void aggregateCancelShowsPartialResult() {
    AggregatePanel* panel = window_->aggregatePanel();
    const SweepSettings kept = window_->sweepPanel()->settings();
    SweepSettings many = kept; // 40 examples × 3 positions: long enough to cancel in the middle
    many.dataPath = test::writeStoryQa(workspace_.toStdString() + "/stories-40.jsonl", 40, 3);
    window_->sweepPanel()->setDataset(many);
    panel->setExamples(0);
    QSignalSpy done(window_.get(), &MainWindow::aggregateDone);
    QSignalSpy progress(window_->engine(), &EngineController::aggregateProgress);
    // Cancel as soon as the first prompt is in, as a user pressing Cancel would.
    const auto pressCancel = connect(window_->engine(), &EngineController::aggregateProgress, this, [this] {
      window_->findChild<QPushButton*>("aggregateCancel")->click();
    });
    panel->requestCompute();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWorkMs);
    disconnect(pressCancel);
    QCOMPARE(done.at(0).at(0).toBool(), false);
    QVERIFY(progress.last().at(0).toInt() < 120);
    QVERIFY(!window_->engine()->isBusy());
    // The partial mean is shown: every gold position has its first example(s) in.
    const AttentionMassGrid& grid = panel->heatmap()->matrix();
    QCOMPARE(grid.goldPositions, 3);
    QVERIFY(!std::isnan(grid.at(0, 0)));
    window_->sweepPanel()->setDataset(kept);
  }

  void tokenMapForOneLayerAndHead() {
    ExplorerPanel* explorer = window_->explorerPanel();
    QSignalSpy shown(explorer, &ExplorerPanel::placementShown);
    window_->showView("explore");
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, kWorkMs);
    const int promptTokens = shown.last().at(0).value<PlacementDetails>().promptTokens;
    QSignalSpy tokens(explorer, &ExplorerPanel::tokenMapShown);
    for (const HeadReduction heads :
         {HeadReduction{HeadReduction::Single, 3}, HeadReduction{HeadReduction::Mean, 0}}) {
      explorer->requestTokenMap(2, heads);
      QTRY_COMPARE_WITH_TIMEOUT(tokens.count(), heads.kind == HeadReduction::Single ? 1 : 2, kWorkMs);
      const HeatmapMatrix m = tokens.last().at(0).value<HeatmapMatrix>();
      QCOMPARE(m.rows, 1); // the last prompt token's row
      QCOMPARE(m.columns, promptTokens);
      double sum = 0;
      for (double v : m.values)
        sum += v;
      QVERIFY2(std::abs(sum - 1.0) < 1e-3, qPrintable(QString::number(sum))); // a probability row
    }
    // The heads' max is at least their mean at every key (same forward pass, reduced differently).
    const HeatmapMatrix mean = tokens.last().at(0).value<HeatmapMatrix>();
    explorer->requestTokenMap(2, HeadReduction{HeadReduction::Max, 0});
    QTRY_COMPARE_WITH_TIMEOUT(tokens.count(), 3, kWorkMs);
    const HeatmapMatrix max = tokens.last().at(0).value<HeatmapMatrix>();
    QCOMPARE(max.values.size(), mean.values.size());
    for (qsizetype i = 0; i < max.values.size(); ++i)
      QVERIFY(max.values[i] >= mean.values[i] - 1e-6);
    QVERIFY(max.columnTitle.contains("max of heads"));
    QVERIFY(explorer->tokenMapDialog()->isVisible());
    QCOMPARE(explorer->tokenMap()->drawnSize(), QSize(promptTokens, 1));
    if (const QByteArray dir = qgetenv("POSLAB_SCREENSHOT_DIR"); !dir.isEmpty())
      explorer->tokenMapDialog()->grab().save(QString::fromLocal8Bit(dir) + "/token-map.png");
  }

  void depthStudySweepsEachCountAndReopens() {
    DepthPanel* depth = window_->depthPanel();
    window_->showView("depth");
    window_->sweepPanel()->setLimit(3);
    depth->setDocumentCounts("2,3");
    QSignalSpy done(window_.get(), &MainWindow::depthDone);
    StallMeter meter;
    depth->requestRun();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWorkMs);
    QCOMPARE(done.at(0).at(0).toString(), QString("finished"));
    qInfo("depth: worst event-loop gap %lld ms over %d ticks", meter.worstGapMs(), meter.ticks());
    QVERIFY2(meter.worstGapMs() <= 100, qPrintable(QString("stalled %1 ms").arg(meter.worstGapMs())));
    const DepthGrid grid = depth->heatmap()->grid();
    QCOMPARE(grid.documentCounts, (QVector<int>{2, 3}));
    QCOMPARE(grid.cell(0, 0).n, 3);
    QCOMPARE(grid.cell(0, 2).n, 0);
    QCOMPARE(grid.cell(1, 2).n, 3);
    QCOMPARE(depth->shownRuns().size(), qsizetype(2));
    QVERIFY(window_->sweepPanel()->plot()->runs().isEmpty()); // listed as runs, not drawn over the sweep plot
    QCOMPARE(window_->sweepPanel()->runFolders().size(), qsizetype(2));

    MainWindow again; // as after a restart
    QCOMPARE(again.depthPanel()->findChild<QComboBox*>("depthStudies")->count(), 1);
    again.depthPanel()->showStudy(depth->shownStudy());
    const DepthGrid reopened = again.depthPanel()->heatmap()->grid();
    QCOMPARE(reopened.documentCounts, grid.documentCounts);
    for (int i = 0; i < grid.cells.size(); ++i) {
      QCOMPARE(reopened.cells[i].n, grid.cells[i].n);
      QCOMPARE(reopened.cells[i].correct, grid.cells[i].correct);
    }
  }

  void badDataIsAReadableErrorAndAppLivesOn() {
    const QString bad = workspace_ + "/broken.jsonl";
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"question\": \"no answers or documents\"}\n");
    file.close();
    const SweepSettings kept = window_->sweepPanel()->settings();
    SweepSettings broken = kept;
    broken.dataPath = bad.toStdString();
    window_->sweepPanel()->setDataset(broken);
    QSignalSpy failed(window_->engine(), &EngineController::aggregateFailed);
    QSignalSpy done(window_.get(), &MainWindow::aggregateDone);
    window_->aggregatePanel()->requestCompute();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWorkMs);
    QCOMPARE(failed.count(), 1);
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains("broken.jsonl") && !message.contains('\n'), qPrintable(message));
    QVERIFY(!window_->engine()->isBusy());
    QVERIFY(window_->engine()->hasModel());
    window_->sweepPanel()->setDataset(kept);
  }

  void bundleHoldsEveryFigureWithFingerprints() {
    // Overlay one of the depth study's runs on the sweep plot, from the run list.
    auto* runs = window_->sweepPanel()->findChild<QListWidget*>();
    runs->item(0)->setCheckState(Qt::Checked);
    QCOMPARE(window_->sweepPanel()->plot()->runs(), QStringList{runs->item(0)->text()});
    const QString folder = QString::fromStdString(test::tempDir("lab-bundle")) + "/bundle";
    QString error;
    QVERIFY2(window_->exportBundle(folder, &error), qPrintable(error));
    QFile file(folder + "/manifest.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray figures = QJsonDocument::fromJson(file.readAll()).object()["figures"].toArray();
    QStringList names;
    for (const auto& f : figures) {
      const QJsonObject figure = f.toObject();
      names << figure["name"].toString();
      for (const QString& name : figure["files"].toObject().keys())
        QVERIFY(QFileInfo(folder + "/" + figure["files"].toObject()[name].toString()).size() > 0);
    }
    QCOMPARE(names, (QStringList{"accuracy_vs_position", "depth_vs_documents", "attention_mass",
                                 "placement_attention", "token_attention"}));
    const QJsonObject aggregate = figures[2].toObject()["source"].toObject();
    QVERIFY(aggregate["model"].toObject()["fingerprint"].toString().startsWith("quick-sha256:"));
    QVERIFY(aggregate["data"].toObject()["fingerprint"].toString().startsWith("sha256:"));
    // The aggregate shown is the cancelled one, over the 40-example file.
    QCOMPARE(aggregate["settings"].toObject()["data"].toString(), workspace_ + "/stories-40.jsonl");
    QCOMPARE(aggregate["examples"].toInt(), 0); // the cancelled run over all examples
    QCOMPARE(aggregate["query"].toString(), QString("last"));
    const QJsonObject tokens = figures[4].toObject()["source"].toObject();
    QCOMPARE(tokens["layer"].toInt(), 2);
    QCOMPARE(tokens["heads"].toString(), QString("max"));
    QCOMPARE(tokens["gold_position"].toInt(), 0);
    const QJsonArray sweepRuns = figures[0].toObject()["source"].toObject()["runs"].toArray();
    QCOMPARE(sweepRuns.size(), qsizetype(1));
    QCOMPARE(sweepRuns[0].toObject()["run"].toString(), runs->item(0)->text());
    const QJsonArray depthRuns = figures[1].toObject()["source"].toObject()["runs"].toArray();
    QCOMPARE(depthRuns.size(), qsizetype(2));
    QVERIFY(
        depthRuns[0].toObject()["model"].toObject()["fingerprint"].toString().startsWith("quick-sha256:"));
  }

private:
  std::unique_ptr<MainWindow> window_;
  QString workspace_, model_, data_;
};

QTEST_MAIN(TestLabViews)
#include "test_lab_views.moc"
