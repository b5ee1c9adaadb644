// Expected bounds computed with Python's decimal module at 50 digits from
// center ± half, z = 1.959963984540054 (see the report of this unit's author).
#include "core/eval/WilsonInterval.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

class TestWilsonInterval : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void knownValues_data() {
    QTest::addColumn<qulonglong>("correct");
    QTest::addColumn<qulonglong>("n");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::newRow("0/10") << 0ull << 10ull << 0.0 << 0.27753279986288920;
    QTest::newRow("5/10") << 5ull << 10ull << 0.23659309051256400 << 0.76340690948743600;
    QTest::newRow("10/10") << 10ull << 10ull << 0.72246720013711080 << 1.0;
    QTest::newRow("371/500") << 371ull << 500ull << 0.70190601943942178 << 0.77840379977718693;
    QTest::newRow("1/1") << 1ull << 1ull << 0.20654931437723743 << 1.0;
    QTest::newRow("0/1") << 0ull << 1ull << 0.0 << 0.79345068562276257;
    QTest::newRow("0/0 no information") << 0ull << 0ull << 0.0 << 1.0;
  }
  void knownValues() {
    QFETCH(qulonglong, correct);
    QFETCH(qulonglong, n);
    QFETCH(double, low);
    QFETCH(double, high);
    const auto ci = WilsonInterval::compute(correct, n);
    QVERIFY2(std::abs(ci.low - low) < 1e-9, qPrintable(QString::number(ci.low, 'g', 17)));
    QVERIFY2(std::abs(ci.high - high) < 1e-9, qPrintable(QString::number(ci.high, 'g', 17)));
  }
  void extremesAreExact() {
    QCOMPARE(WilsonInterval::compute(0, 500).low, 0.0);
    QCOMPARE(WilsonInterval::compute(500, 500).high, 1.0);
  }
  void moreCorrectThanTrialsIsAnError() { QVERIFY_THROWS_EXCEPTION(Error, WilsonInterval::compute(11, 10)); }
};

QTEST_GUILESS_MAIN(TestWilsonInterval)
#include "test_wilson_interval.moc"
