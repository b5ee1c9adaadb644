// The explorer shows one placement whole (documents, answer, attention) and asks for
// another gold position when the slider moves.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/DocumentStrip.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/PlacementExplorer.h"

#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QtTest/QtTest>

using namespace poslab;

class TestPlacementExplorer : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void showsThePlacement_data();
  void showsThePlacement();
  void barsFollowTheHeadSelection();
  void sliderAsksForAPosition();
};

void TestPlacementExplorer::showsThePlacement_data() {
  QTest::addColumn<int>("gold");
  QTest::addColumn<bool>("correct");
  QTest::newRow("wrong in the middle") << 9 << false;
  QTest::newRow("right at the start") << 0 << true;
}

void TestPlacementExplorer::showsThePlacement() {
  QFETCH(int, gold);
  QFETCH(bool, correct);
  const PlacementDetails details = testdata::placement(gold, correct);
  PlacementExplorer explorer;
  explorer.setDetails(details);
  QCOMPARE(explorer.requestedPosition(), gold);
  QCOMPARE(explorer.findChild<QSpinBox*>("goldPositionSpin")->value(), gold + 1);
  QCOMPARE(explorer.documentStrip()->items().size(), 20);
  QVERIFY(explorer.documentStrip()->items()[gold].isGold);
  QCOMPARE(explorer.attentionHeatmap()->heatmap()->matrix().highlightColumn, gold);
  QCOMPARE(explorer.attentionBars()->goldIndex(), gold);
  const QString answer = explorer.answerText();
  QVERIFY2(answer.contains(details.prediction), qPrintable(answer));
  QVERIFY2(answer.contains(correct ? "right" : "wrong"), qPrintable(answer));
  QVERIFY(answer.contains(QStringLiteral("Wilhelm Conrad Röntgen")));
}

void TestPlacementExplorer::barsFollowTheHeadSelection() {
  PlacementExplorer explorer;
  explorer.setDetails(testdata::placement());
  QCOMPARE(explorer.attentionBars()->values(), explorer.attentionHeatmap()->documentMass());
  const QVector<double> mean = explorer.attentionBars()->values();
  explorer.attentionHeatmap()->setHeadSelection({HeadSelection::Single, 2});
  QCOMPARE(explorer.attentionBars()->values(), explorer.attentionHeatmap()->documentMass());
  QVERIFY(explorer.attentionBars()->values() != mean);
}

void TestPlacementExplorer::sliderAsksForAPosition() {
  PlacementExplorer explorer;
  explorer.setDetails(testdata::placement(3));
  QSignalSpy asked(&explorer, &PlacementExplorer::positionRequested);
  auto* slider = explorer.findChild<QSlider*>("goldPositionSlider");
  QVERIFY(slider);
  QCOMPARE(slider->maximum(), 19);
  slider->setFocus();
  QTest::keyClick(slider, Qt::Key_Right);
  QCOMPARE(asked.count(), 1);
  QCOMPARE(asked.first().at(0).toInt(), 4);
  QCOMPARE(explorer.findChild<QSpinBox*>("goldPositionSpin")->value(), 5);
  // The answer for that position does not ask again.
  explorer.setDetails(testdata::placement(4));
  QCOMPARE(asked.count(), 1);
}

QTEST_MAIN(TestPlacementExplorer)
#include "test_placement_explorer.moc"
