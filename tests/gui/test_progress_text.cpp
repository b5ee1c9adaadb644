// Progress wording shared by the views: durations and the time left at the rate so far.
#include "app/gui/ProgressText.h"

#include <QtTest/QtTest>

using namespace poslab;

class TestProgressText : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void clockReadsMinutesOrHours() {
    QCOMPARE(ProgressText::clock(0), QString("0m00s"));
    QCOMPARE(ProgressText::clock(65), QString("1m05s"));
    QCOMPARE(ProgressText::clock(59.6), QString("1m00s")); // rounded to the second
    QCOMPARE(ProgressText::clock(3720), QString("1h02m"));
  }
  void etaIsTheRateSoFar() {
    QCOMPARE(ProgressText::eta(10, 40, 5), QString("0m15s")); // 0.5 s a unit, 30 left
    QCOMPARE(ProgressText::eta(40, 40, 20), QString("0m00s"));
    QCOMPARE(ProgressText::eta(0, 40, 5), QString("–")); // no rate yet
    QCOMPARE(ProgressText::eta(5, 40, 0), QString("–"));
    QCOMPARE(ProgressText::eta(50, 40, 5), QString("–")); // inconsistent counts say nothing
  }
};

QTEST_GUILESS_MAIN(TestProgressText)
#include "test_progress_text.moc"
