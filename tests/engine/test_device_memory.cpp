// DeviceMemory: the CPU's available memory is MemAvailable (within MemTotal);
// a CUDA device's comes from the CUDA runtime when one is in the process and
// is unknown (-1) otherwise, never a made-up number.
#include "core/engine/DeviceMemory.h"

#include <QtTest/QtTest>
#include <dlfcn.h>

using namespace poslab;

class TestDeviceMemory : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void cpu() {
    const int64_t available = DeviceMemory::availableBytes("cpu"), total = DeviceMemory::totalBytes("cpu");
    QVERIFY(available > 0);
    QVERIFY(total >= available);
  }
  void cuda() {
    const bool runtime = dlsym(RTLD_DEFAULT, "cudaMemGetInfo") != nullptr;
    for (const char* device : {"cuda", "cuda:0"}) {
      const int64_t available = DeviceMemory::availableBytes(device),
                    total = DeviceMemory::totalBytes(device);
      if (!runtime) {
        QCOMPARE(available, int64_t(-1));
        QCOMPARE(total, int64_t(-1));
      } else if (available >= 0) {
        QVERIFY(total >= available);
      }
    }
    QCOMPARE(DeviceMemory::availableBytes("cuda:x"), int64_t(-1));
  }
};

QTEST_GUILESS_MAIN(TestDeviceMemory)
#include "test_device_memory.moc"
