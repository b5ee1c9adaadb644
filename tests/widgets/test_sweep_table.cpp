// What a researcher reads when hovering a position: every shown run's numbers there
// and the paired test, nothing for a position no run has.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/SweepTable.h"

#include <QtTest/QtTest>

using namespace poslab;

class TestSweepTable : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void summaryHasEveryRunsNumbers();
  void summaryIsEmptyWhereNoRunHasThePosition();
  void pointsAreSortedAndFound();
};

void TestSweepTable::summaryHasEveryRunsNumbers() {
  const SweepCurve a = testdata::mistralBase(), b = testdata::mistralPos2Distill();
  PairedComparison comparison;
  comparison.runA = a.label;
  comparison.runB = b.label;
  comparison.positions = {{4, 0.0123, +1, 7, 31}};
  const QString text = SweepTable::positionSummary(4, {{&a, Qt::blue}, {&b, Qt::red}}, comparison);
  const SweepPoint& p = a.points[4];
  QVERIFY2(text.contains("Gold at position 5"), qPrintable(text));
  QVERIFY(text.contains(QString::number(p.accuracy * 100, 'f', 1) + " %"));
  QVERIFY(text.contains(QString("%1–%2").arg(p.ciLow * 100, 0, 'f', 1).arg(p.ciHigh * 100, 0, 'f', 1)));
  QVERIFY(text.contains(QString("%1/%2 correct").arg(p.correct).arg(p.n)));
  QVERIFY(text.contains(QString::number(*p.meanAnswerLogprob, 'f', 3)));
  QVERIFY(text.contains(b.label));
  QVERIFY(text.contains("p = 0.0123 (31 vs 7 discordant pairs)"));
}

void TestSweepTable::summaryIsEmptyWhereNoRunHasThePosition() {
  const SweepCurve a = testdata::gpt35Curve();
  QVERIFY(SweepTable::positionSummary(20, {{&a, Qt::blue}}, std::nullopt).isEmpty());
  QVERIFY(SweepTable::positionSummary(-1, {{&a, Qt::blue}}, std::nullopt).isEmpty());
  QVERIFY(SweepTable::positionSummary(3, {}, std::nullopt).isEmpty());
}

void TestSweepTable::pointsAreSortedAndFound() {
  SweepCurve curve;
  curve.points = {testdata::point(7, 10, 3), testdata::point(2, 10, 5), testdata::point(4, 10, 9)};
  const std::vector<SweepPoint> sorted = SweepTable::sortedPoints(curve);
  QCOMPARE(sorted.size(), size_t(3));
  QCOMPARE(sorted[0].position, 2);
  QCOMPARE(sorted[2].position, 7);
  QCOMPARE(SweepTable::pointAt(curve, 4)->correct, 9);
  QVERIFY(!SweepTable::pointAt(curve, 5));
}

QTEST_MAIN(TestSweepTable)
#include "test_sweep_table.moc"
