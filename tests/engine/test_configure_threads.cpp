// configureThreads: `--threads N` is N cores in every pool the engine uses
// (issue 18 measured `--threads 1` at 43.7 s user + 37.9 s system CPU in 45.6 s
// wall: OpenBLAS kept a pool of its own). The CPU-to-wall ratio of a 1-thread
// fp32 matmul cannot exceed ~1 on any machine, loaded or not, unless another
// pool runs beside it; a busy machine only lowers it.
#include "core/engine/Engine.h"
#include "core/util/BlasKernels.h"
#include "core/util/ProcessCpu.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <QtTest/QtTest>
#include <dlfcn.h>

using namespace poslab;

namespace {

int openblasThreads() {
  using GetThreads = int (*)();
  const auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
}

} // namespace

class TestConfigureThreads : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void everyPoolGetsTheCount() {
    QCOMPARE(configureThreads(1), 1);
    QCOMPARE(at::get_num_threads(), 1);
    QCOMPARE(at::get_num_interop_threads(), 1); // the first call sizes the inter-op pool
    if (openblasThreads() != -1) QCOMPARE(openblasThreads(), 1);
    QCOMPARE(configureThreads(2), 2);
    QCOMPARE(at::get_num_threads(), 2);
    if (openblasThreads() != -1) QCOMPARE(openblasThreads(), 2);
    QVERIFY(configureThreads(0) >= 1); // 0: every core
  }

  // POSLAB_BLAS=openmp (cmake/PosLabBlas.cmake): OpenBLAS's GEMMs run on
  // LibTorch's OpenMP pool, not on a pthread pool beside it, although the
  // system's BLAS alternative is the pthread build.
  void blasRunsOnTheOpenMpPool() {
#ifdef POSLAB_EXPECTED_BLAS
    at::matmul(at::randn({64, 64}), at::randn({64, 64})); // fp32: OpenBLAS is loaded and used
    QCOMPARE(QString::fromStdString(BlasKernels::threading()), QString(POSLAB_EXPECTED_BLAS));
#else
    QSKIP("built with POSLAB_BLAS=system: the BLAS is whatever the system selects");
#endif
  }

  void oneThreadIsOneCore() {
    configureThreads(1);
    at::Tensor a = at::randn({384, 384}), b = at::randn({384, 384});
    at::Tensor c = at::matmul(a, b); // warm-up: BLAS picks its kernels, pools start
    const CpuSeconds before = ProcessCpu::now();
    for (int i = 0; i < 60; ++i)
      at::matmul_out(c, a, b);
    const CpuSeconds d = ProcessCpu::now() - before;
    const double cpu = d.user + d.system;
    QVERIFY2(cpu <= 1.25 * d.wall + 0.02,
             qPrintable(QString("%1 s CPU in %2 s wall with 1 thread").arg(cpu).arg(d.wall)));
  }
};

QTEST_APPLESS_MAIN(TestConfigureThreads)
#include "test_configure_threads.moc"
