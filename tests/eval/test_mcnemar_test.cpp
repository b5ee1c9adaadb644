// Exact two-sided McNemar p-values; expected values are exact rationals
// 2 * sum_{k<=min(b,c)} C(b+c, k) / 2^(b+c) computed with Python's fractions.
#include "core/eval/McNemarTest.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

class TestMcNemarTest : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void knownValues_data() {
    QTest::addColumn<qulonglong>("b");
    QTest::addColumn<qulonglong>("c");
    QTest::addColumn<double>("p");
    QTest::newRow("no discordant pairs") << 0ull << 0ull << 1.0;
    QTest::newRow("1 vs 9") << 1ull << 9ull << 0.021484375;
    QTest::newRow("9 vs 1 symmetric") << 9ull << 1ull << 0.021484375;
    QTest::newRow("10 vs 20") << 10ull << 20ull << 0.09873714670538902;
    QTest::newRow("0 vs 5") << 0ull << 5ull << 0.0625;
    QTest::newRow("3 vs 3") << 3ull << 3ull << 1.0;
    QTest::newRow("0 vs 1") << 0ull << 1ull << 1.0;
    QTest::newRow("45 vs 75") << 45ull << 75ull << 0.007846593122439764;
    QTest::newRow("100 vs 0") << 100ull << 0ull << 1.5777218104420236e-30;
    QTest::newRow("4800 vs 5200") << 4800ull << 5200ull << 6.593515598672442e-05;
    QTest::newRow("49800 vs 50200") << 49800ull << 50200ull << 0.20703897176422484;
  }
  void knownValues() {
    QFETCH(qulonglong, b);
    QFETCH(qulonglong, c);
    QFETCH(double, p);
    const double got = McNemarTest::exactPValue(b, c);
    QVERIFY2(std::abs(got - p) <= 1e-9 * std::max(p, 1e-300) + 1e-300,
             qPrintable(QString::number(got, 'g', 17)));
  }
  void compareCountsDiscordantPairs() {
    const std::vector<double> a{1, 1, 0, 0, 1, 1, 1};
    const std::vector<double> b{1, 0, 1, 0, 0, 0, 0};
    const auto t = McNemarTest::compare(a, b);
    QCOMPARE(t.b, size_t(4));
    QCOMPARE(t.c, size_t(1));
    QCOMPARE(t.pValue, 0.375); // 2 * (1 + 5) / 32
  }
  void unequalRunsAreAnError() { QVERIFY_THROWS_EXCEPTION(Error, McNemarTest::compare({1, 0}, {1})); }
};

QTEST_GUILESS_MAIN(TestMcNemarTest)
#include "test_mcnemar_test.moc"
