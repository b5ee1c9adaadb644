// ProcessCpu: the CPU accounting benchmarks print, and the malloc the test
// executables run on — the one CMake's POSLAB_ALLOCATOR linked (issue 18: PosLab
// is fast by construction, not by a preload a user has to know about).
#include "core/util/ProcessCpu.h"

#include <QtTest/QtTest>
#include <cstdlib>
#include <vector>

using namespace poslab;

class TestProcessCpu : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void theLinkedAllocatorServesMalloc() {
    QCOMPARE(QString::fromStdString(ProcessCpu::allocator()), QStringLiteral(POSLAB_EXPECTED_ALLOCATOR));
  }

  void busyWorkIsUserTime() {
    const CpuSeconds before = ProcessCpu::now();
    volatile double sink = 0;
    while ((ProcessCpu::now() - before).user < 0.2)
      for (int i = 0; i < 100000; ++i)
        sink = sink + i * 1e-9;
    const CpuSeconds d = ProcessCpu::now() - before;
    QVERIFY(d.user >= 0.2);
    QVERIFY2(d.wall >= d.user * 0.9, "one thread cannot spend more CPU than wall time");
    QVERIFY(d.system >= 0);
  }

  void touchingFreshPagesIsCounted() {
    const CpuSeconds before = ProcessCpu::now();
    std::vector<char> block(64 << 20); // value-initialised: every page written
    const CpuSeconds d = ProcessCpu::now() - before;
    QVERIFY(block[block.size() - 1] == 0);
    QVERIFY2(d.minorFaults >= 1000, qPrintable(QString::number(d.minorFaults) + " minor faults for 64 MiB"));
  }
};

QTEST_APPLESS_MAIN(TestProcessCpu)
#include "test_process_cpu.moc"
