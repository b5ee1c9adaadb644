// The Explore tab on the real stories260K model: a placement is computed off
// the GUI thread and shown (documents, answer, layers x documents attention
// whose rows with the outside mass sum to at most 1), moving the slider asks
// for another position, and coming back is served from the cache at once.
#include "app/gui/EngineController.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/LabWindow.h"
#include "tests/gui/StallMeter.h"
#include "tests/sweep/SweepTestData.h"
#include "tests/util/TestPaths.h"
#include "widgets/PlacementExplorer.h"

#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest/QtTest>
#include <memory>

using namespace poslab;
using poslab::test::StallMeter;

class TestExplorerPanel : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    const std::string dir = test::isolatedWorkspace("test_explorer_panel", "gui-explorer").toStdString();
    window_ = std::make_unique<MainWindow>();
    QVERIFY(test::showWithModel(
        *window_, QString::fromStdString(test::sharedPath("models/stories260K/stories260K.gguf"))));
    window_->sweepPanel()->setDataPath(
        QString::fromStdString(test::writeStoryQa(dir + "/stories.jsonl", 3, 5)));
    window_->sweepPanel()->setMaxNewTokens(8);
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void slidesAndCaches() {
    ExplorerPanel* panel = window_->explorerPanel();
    QSignalSpy shown(panel, &ExplorerPanel::placementShown);
    StallMeter meter;
    QVERIFY(window_->showView("explore"));
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 120'000);
    PlacementDetails d = shown.at(0).at(0).value<PlacementDetails>();
    QCOMPARE(d.goldPosition, 0);
    QCOMPARE(d.documents.size(), qsizetype(5));
    QVERIFY(d.documents[0].isGold);
    QCOMPARE(d.attention.layers, 5); // stories260K
    QCOMPARE(d.attention.heads, 8);
    QCOMPARE(d.attention.goldIndex, 0);
    for (int l = 0; l < d.attention.layers; ++l)
      for (int h = 0; h < d.attention.heads; ++h) {
        double sum = 0;
        for (int doc = 0; doc < d.attention.documents; ++doc)
          sum += d.attention.at(l, h, doc);
        QVERIFY(sum > 0 && sum <= 1.0 + 1e-4);
      }
    QCOMPARE(panel->explorer()->details().goldPosition, 0);

    auto* slider = panel->explorer()->findChild<QSlider*>();
    QVERIFY(slider);
    QCOMPARE(slider->maximum() - slider->minimum() + 1, 5);
    slider->setValue(slider->minimum() + 3);
    QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 120'000);
    d = shown.at(1).at(0).value<PlacementDetails>();
    QCOMPARE(d.goldPosition, 3);
    QVERIFY(d.documents[3].isGold);
    QCOMPARE(panel->cachedPlacements(), 2);

    // Back to the first position: from the cache, shown before control returns.
    slider->setValue(slider->minimum());
    QCOMPARE(shown.count(), 3);
    QCOMPARE(shown.at(2).at(0).value<PlacementDetails>().goldPosition, 0);
    qInfo("worst event-loop gap %lld ms over %d ticks", meter.worstGapMs(), meter.ticks());
    QVERIFY2(meter.worstGapMs() <= 100,
             qPrintable(QString("event loop stalled for %1 ms").arg(meter.worstGapMs())));
    if (const QByteArray dir = qgetenv("POSLAB_SCREENSHOT_DIR"); !dir.isEmpty())
      window_->grab().save(QString::fromLocal8Bit(dir) + "/explorer.png");
  }

private:
  std::unique_ptr<MainWindow> window_;
};

QTEST_MAIN(TestExplorerPanel)
#include "test_explorer_panel.moc"
