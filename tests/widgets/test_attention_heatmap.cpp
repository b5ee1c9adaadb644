// The attention heatmap reduces heads as selected (mean, max, one head), outlines
// the gold document, and asks for other queries and token maps through signals.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/MatrixHeatmap.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest/QtTest>

using namespace poslab;

Q_DECLARE_METATYPE(HeadSelection::Kind)

class TestAttentionHeatmap : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void cellsAreTheSelectedReduction_data();
  void cellsAreTheSelectedReduction();
  void headComboSelectsByKeyboard();
  void goldColumnIsOutlined();
  void queryComboAsksForAGrid();
  void tokenMapIsRequestedForTheChosenLayer();
  void documentMassIsTheLayerMean();
  void sinkShareIsReported();
  void plotDataHasEveryCell();
};

void TestAttentionHeatmap::cellsAreTheSelectedReduction_data() {
  QTest::addColumn<HeadSelection::Kind>("kind");
  QTest::addColumn<int>("head");
  QTest::newRow("mean") << HeadSelection::Mean << 0;
  QTest::newRow("max") << HeadSelection::Max << 0;
  QTest::newRow("head 0") << HeadSelection::Single << 0;
  QTest::newRow("head 5") << HeadSelection::Single << 5;
}

void TestAttentionHeatmap::cellsAreTheSelectedReduction() {
  QFETCH(HeadSelection::Kind, kind);
  QFETCH(int, head);
  const AttentionGrid grid = testdata::sinkHeavyGrid(6, 8, 10, 4);
  AttentionHeatmap view;
  view.setGrid(grid);
  view.setHeadSelection({kind, head});
  MatrixHeatmap* map = view.heatmap();
  QCOMPARE(map->drawnSize(), QSize(10, 6));
  for (int l = 0; l < 6; ++l)
    for (int d = 0; d < 10; ++d) {
      double expected = 0;
      for (int h = 0; h < 8; ++h) {
        const double v = grid.at(l, h, d);
        if (kind == HeadSelection::Mean) expected += v / 8;
        if (kind == HeadSelection::Max) expected = std::max(expected, v);
      }
      if (kind == HeadSelection::Single) expected = grid.at(l, head, d);
      QVERIFY2(qAbs(map->drawnCell(l, d) - expected) < 1e-7,
               qPrintable(QString("layer %1 doc %2").arg(l).arg(d)));
    }
  QCOMPARE(map->colorRangeLower(), 0.0);
}

void TestAttentionHeatmap::headComboSelectsByKeyboard() {
  AttentionHeatmap view;
  view.setGrid(testdata::sinkHeavyGrid(4, 3, 5, 2));
  auto* combo = view.findChild<QComboBox*>("headCombo");
  QVERIFY(combo);
  QCOMPARE(combo->count(), 2 + 3); // mean, max, heads 0..2
  QSignalSpy changed(&view, &AttentionHeatmap::headSelectionChanged);
  combo->setFocus();
  QTest::keyClick(combo, Qt::Key_Down);
  QCOMPARE(changed.count(), 1);
  QCOMPARE(view.headSelection().kind, HeadSelection::Max);
  QTest::keyClick(combo, Qt::Key_Down);
  QCOMPARE(view.headSelection().kind, HeadSelection::Single);
  QCOMPARE(view.headSelection().head, 0);
  // A grid with fewer heads drops a head it no longer has.
  view.setHeadSelection({HeadSelection::Single, 2});
  view.setGrid(testdata::sinkHeavyGrid(4, 2, 5, 2));
  QCOMPARE(view.headSelection().kind, HeadSelection::Mean);
  QCOMPARE(combo->count(), 4);
}

void TestAttentionHeatmap::goldColumnIsOutlined() {
  AttentionHeatmap view;
  view.setGrid(testdata::sinkHeavyGrid(4, 2, 12, 7));
  QCOMPARE(view.heatmap()->matrix().highlightColumn, 7);
  AttentionGrid closedBook = testdata::sinkHeavyGrid(4, 2, 12, 7);
  closedBook.goldIndex = -1;
  view.setGrid(closedBook);
  QCOMPARE(view.heatmap()->matrix().highlightColumn, -1);
}

void TestAttentionHeatmap::queryComboAsksForAGrid() {
  AttentionHeatmap view;
  view.setGrid(testdata::sinkHeavyGrid(4, 2, 5, 1));
  auto* combo = view.findChild<QComboBox*>("queryCombo");
  QVERIFY(combo);
  QSignalSpy asked(&view, &AttentionHeatmap::queryChanged);
  combo->setFocus();
  QTest::keyClick(combo, Qt::Key_Down);
  QCOMPARE(asked.count(), 1);
  QCOMPARE(asked.first().at(0).value<AttentionQuery>(), AttentionQuery::Question);
  // The grid that answers sets the combo without asking again.
  AttentionGrid answer = testdata::sinkHeavyGrid(4, 2, 5, 1);
  answer.query = AttentionQuery::Answer;
  view.setGrid(answer);
  QCOMPARE(view.query(), AttentionQuery::Answer);
  QCOMPARE(asked.count(), 1);
}

void TestAttentionHeatmap::tokenMapIsRequestedForTheChosenLayer() {
  AttentionHeatmap view;
  view.setGrid(testdata::sinkHeavyGrid(6, 4, 5, 1));
  auto* spin = view.findChild<QSpinBox*>("tokenLayerSpin");
  auto* button = view.findChild<QPushButton*>("tokenMapButton");
  QVERIFY(spin && button);
  QCOMPARE(spin->maximum(), 5);
  view.setHeadSelection({HeadSelection::Single, 3});
  spin->setValue(4);
  QSignalSpy requested(&view, &AttentionHeatmap::tokenMapRequested);
  QTest::mouseClick(button, Qt::LeftButton);
  QCOMPARE(requested.count(), 1);
  QCOMPARE(requested.first().at(0).toInt(), 4);
  QCOMPARE(requested.first().at(1).value<HeadSelection>(), (HeadSelection{HeadSelection::Single, 3}));
}

void TestAttentionHeatmap::documentMassIsTheLayerMean() {
  const AttentionGrid grid = testdata::sinkHeavyGrid(3, 2, 4, 1);
  AttentionHeatmap view;
  view.setGrid(grid);
  const QVector<double> mass = view.documentMass();
  QCOMPARE(mass.size(), 4);
  for (int d = 0; d < 4; ++d) {
    double expected = 0;
    for (int l = 0; l < 3; ++l)
      expected += (double(grid.at(l, 0, d)) + grid.at(l, 1, d)) / 2.0 / 3.0;
    QVERIFY2(qAbs(mass[d] - expected) < 1e-9, qPrintable(QString("%1 vs %2").arg(mass[d]).arg(expected)));
  }
}

void TestAttentionHeatmap::sinkShareIsReported() {
  AttentionGrid grid = testdata::sinkHeavyGrid(2, 1, 3, 0);
  grid.sinkShare = {0.5f, 0.9f};
  AttentionHeatmap view;
  view.setGrid(grid);
  const QString text = view.findChild<QLabel*>("sinkLabel")->text();
  QVERIFY2(text.contains("70.0 %") && text.contains("90.0 %") && text.contains("layer 1"), qPrintable(text));
}

void TestAttentionHeatmap::plotDataHasEveryCell() {
  const AttentionGrid grid = testdata::sinkHeavyGrid(3, 2, 4, 2);
  AttentionHeatmap view;
  view.setGrid(grid);
  const PlotData table = view.plotData();
  QCOMPARE(table.rows.size(), 3 * 4);
  const QVector<QVariant>& row = table.rows[1 * 4 + 2]; // layer 1, document 3 (the gold)
  QCOMPARE(row[0].toInt(), 1);
  QCOMPARE(row[1].toInt(), 3);
  QCOMPARE(row[3].toBool(), true);
  QCOMPARE(row[4].toDouble(), (double(grid.at(1, 0, 2)) + grid.at(1, 1, 2)) / 2);
  QCOMPARE(row[5].toDouble(), double(grid.sinkShare[1]));
}

QTEST_MAIN(TestAttentionHeatmap)
#include "test_attention_heatmap.moc"
