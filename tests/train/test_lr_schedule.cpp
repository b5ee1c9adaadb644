// Warm-up + cosine schedule: values against nanoGPT's get_lr formula worked by hand.
#include "core/train/LrSchedule.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;

class TestLrSchedule : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void values_data() {
    QTest::addColumn<int>("warmup");
    QTest::addColumn<int>("total");
    QTest::addColumn<int>("step");
    QTest::addColumn<double>("expected");
    // lr 1.0, min ratio 0.1 (min lr 0.1)
    QTest::newRow("warm-up first step") << 4 << 14 << 0 << 1.0 / 5;
    QTest::newRow("warm-up last step") << 4 << 14 << 3 << 4.0 / 5;
    QTest::newRow("peak after warm-up") << 4 << 14 << 4 << 1.0;
    QTest::newRow("cosine midpoint") << 4 << 14 << 9 << 0.1 + 0.5 * 0.9;
    QTest::newRow("cosine quarter") << 4 << 14 << 6 << 0.1 + 0.5 * (1 + std::cos(M_PI * 0.2)) * 0.9;
    QTest::newRow("at total: min") << 4 << 14 << 14 << 0.1;
    QTest::newRow("past total: min") << 4 << 14 << 100 << 0.1;
    QTest::newRow("no warm-up: peak at 0") << 0 << 10 << 0 << 1.0;
    QTest::newRow("warm-up longer than run") << 10 << 5 << 7 << 8.0 / 11;
    QTest::newRow("warm-up longer than run, past it") << 10 << 5 << 10 << 0.1;
  }
  void values() {
    QFETCH(int, warmup);
    QFETCH(int, total);
    QFETCH(int, step);
    QFETCH(double, expected);
    LrSchedule s(1.0, 0.1, warmup, total);
    QVERIFY2(std::abs(s.at(step) - expected) < 1e-12, qPrintable(QString::number(s.at(step), 'g', 17)));
  }

  void decreasesMonotonicallyAfterWarmup() {
    LrSchedule s(3e-4, 0.1, 10, 200);
    for (int i = 10; i < 210; ++i)
      QVERIFY(s.at(i + 1) <= s.at(i));
    for (int i = 0; i < 10; ++i)
      QVERIFY(s.at(i + 1) > s.at(i));
  }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "test_lr_schedule.moc"
