// Two runs compared per position (core's exact McNemar) and marked on the
// sweep plot: the conversion keeps every position's discordant counts,
// p-value and direction; the sweep view compares two runs from its list off
// the GUI thread, overlays both and stars exactly the significant position.
#include "app/gui/RunComparer.h"
#include "app/gui/SweepPanel.h"
#include "core/eval/McNemarTest.h"
#include "tests/gui/RunFolderData.h"
#include "tests/util/TestPaths.h"
#include "widgets/SweepPlot.h"

#include <QComboBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

// 12 examples × 3 positions. Position 0: A and B agree. Position 1: B right
// where A was wrong on 10 examples (significant). Position 2: 2 vs 1 (not).
void scores(std::vector<std::vector<int>>* a, std::vector<std::vector<int>>* b) {
  for (int e = 0; e < 12; ++e) {
    a->push_back({e % 2, 0, e < 2 ? 1 : 0});
    b->push_back({e % 2, e < 10 ? 1 : 0, e == 0 || e == 5 ? 1 : 0});
  }
}

} // namespace

class TestRunComparer : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("PosLabTest");
    QCoreApplication::setApplicationName("test_run_comparer");
    QSettings().clear();
    workspace_ = QString::fromStdString(test::tempDir("run-comparer"));
    std::vector<std::vector<int>> a, b;
    scores(&a, &b);
    dirA_ =
        QString::fromStdString(test::writeRun(workspace_.toStdString(), "sweep-a-base", test::records(a), 3));
    dirB_ = QString::fromStdString(
        test::writeRun(workspace_.toStdString(), "sweep-b-tuned", test::records(b), 3));
  }

  void convertsEveryPosition() {
    const PairedComparison c = RunComparer::compareRuns(dirA_, dirB_);
    QCOMPARE(c.runA, QString("sweep-a-base"));
    QCOMPARE(c.runB, QString("sweep-b-tuned"));
    QCOMPARE(c.positions.size(), qsizetype(3));
    QCOMPARE(c.positions[0].onlyA + c.positions[0].onlyB, 0);
    QCOMPARE(c.positions[0].direction, 0);
    QCOMPARE(c.positions[0].pValue, 1.0);
    QCOMPARE(c.positions[1].onlyA, 0);
    QCOMPARE(c.positions[1].onlyB, 10);
    QCOMPARE(c.positions[1].direction, 1);
    QCOMPARE(c.positions[1].pValue, McNemarTest::exactPValue(0, 10)); // 2 / 2^10
    QVERIFY(c.positions[1].pValue < 0.05);
    // Position 2: A right on q0 and q1, B on q0 and q5: one discordant pair each way.
    QCOMPARE(c.positions[2].onlyA, 1);
    QCOMPARE(c.positions[2].onlyB, 1);
    QCOMPARE(c.positions[2].direction, 0);
    QCOMPARE(c.positions[2].pValue, 1.0);
  }

  void missingRunIsAReadableError() {
    RunComparer comparer;
    QSignalSpy failed(&comparer, &RunComparer::failed);
    comparer.compare(dirA_, workspace_ + "/runs/nothing-here");
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY2(failed.at(0).at(0).toString().contains("examples.jsonl"),
             qPrintable(failed.at(0).at(0).toString()));
  }

  void sweepViewMarksSignificantPosition() {
    SweepPanel panel;
    panel.setWorkspace(workspace_);
    QCOMPARE(panel.runFolders().size(), qsizetype(2));
    auto* a = panel.findChild<QComboBox*>("compareA");
    auto* b = panel.findChild<QComboBox*>("compareB");
    auto* compare = panel.findChild<QPushButton*>("compareButton");
    QVERIFY(a && b && compare);
    QVERIFY(compare->isEnabled());
    a->setCurrentIndex(a->findData(dirA_));
    b->setCurrentIndex(b->findData(dirB_));
    QSignalSpy shown(&panel, &SweepPanel::comparisonShown);
    compare->click();
    QTRY_COMPARE(shown.count(), 1);
    SweepPlot* plot = panel.plot();
    QVERIFY(plot->runs().contains("sweep-a-base"));
    QVERIFY(plot->runs().contains("sweep-b-tuned"));
    plot->replotNow();
    const QVector<QPointF> stars = plot->drawnSignificanceMarkers();
    QCOMPARE(stars.size(), qsizetype(1));
    QCOMPARE(qRound(stars[0].x()), 2); // position 1, labelled 1-based
  }

private:
  QString workspace_, dirA_, dirB_;
};

QTEST_MAIN(TestRunComparer)
#include "test_run_comparer.moc"
