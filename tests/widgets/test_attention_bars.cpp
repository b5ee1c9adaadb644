// Attention bars hold the given values, the gold one apart.
#include "widgets/AttentionBars.h"

#include <QtTest/QtTest>

using namespace poslab;

class TestAttentionBars : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void barsHoldTheValues_data();
  void barsHoldTheValues();
};

void TestAttentionBars::barsHoldTheValues_data() {
  QTest::addColumn<int>("gold");
  QTest::newRow("gold in the middle") << 2;
  QTest::newRow("gold first") << 0;
  QTest::newRow("no gold (closed-book)") << -1;
}

void TestAttentionBars::barsHoldTheValues() {
  QFETCH(int, gold);
  const QVector<double> mass = {0.12, 0.03, 0.07, 0.02, 0.09};
  AttentionBars bars;
  bars.setValues(mass, gold, {"t1", "t2", "t3", "t4", "t5"});
  const QVector<QPointF> plain = bars.drawnBars(), golden = bars.drawnGoldBars();
  QCOMPARE(plain.size() + golden.size(), mass.size());
  QCOMPARE(golden.size(), gold >= 0 ? 1 : 0);
  if (gold >= 0) QCOMPARE(golden[0], QPointF(gold + 1, mass[gold]));
  for (const QPointF& bar : plain) {
    const int d = int(bar.x()) - 1;
    QVERIFY(d != gold);
    QCOMPARE(bar.y(), mass[d]);
  }
  const PlotData table = bars.plotData();
  QCOMPARE(table.rows.size(), 5);
  QCOMPARE(table.rows[4][0].toInt(), 5);
  QCOMPARE(table.rows[4][1].toString(), QStringLiteral("t5"));
  QCOMPARE(table.rows[4][3].toDouble(), 0.09);
  QCOMPARE(table.rows[qMax(gold, 0)][2].toBool(), gold >= 0);
}

QTEST_MAIN(TestAttentionBars)
#include "test_attention_bars.moc"
