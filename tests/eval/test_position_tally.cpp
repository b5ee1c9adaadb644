#include "core/eval/PositionTally.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

class TestPositionTally : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void summarisesRecords() {
    PositionTally tally;
    tally.add(1.0, -0.5);
    tally.add(0.0, -1.5);
    tally.add(1.0);
    tally.add(0.0, -2.5);
    const auto s = tally.summary(4);
    QCOMPARE(s.position, 4);
    QCOMPARE(s.n, size_t(4));
    QCOMPARE(s.correct, size_t(2));
    QCOMPARE(s.accuracy, 0.5);
    QVERIFY(s.meanAnswerLogprob.has_value());
    QCOMPARE(*s.meanAnswerLogprob, -1.5);
    QVERIFY(s.ciLow > 0.15 && s.ciLow < 0.16); // Wilson 2/4: 0.15003898915214947
    QVERIFY(s.ciHigh > 0.84 && s.ciHigh < 0.85);
  }
  void emptyTally() {
    const auto s = PositionTally().summary(-1);
    QCOMPARE(s.n, size_t(0));
    QCOMPARE(s.accuracy, 0.0);
    QCOMPARE(s.ciLow, 0.0);
    QCOMPARE(s.ciHigh, 1.0);
    QVERIFY(!s.meanAnswerLogprob.has_value());
  }
};

QTEST_GUILESS_MAIN(TestPositionTally)
#include "test_position_tally.moc"
