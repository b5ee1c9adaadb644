#pragma once
// The BLAS kernels this process multiplies with. Debian's OpenBLAS (under
// LibTorch's CPU matmuls) picks its kernels by CPU when it loads, and kernels
// for different CPUs round differently: on an AVX-512 machine (OpenBLAS core
// "Cooperlake") the demo's recipe, seed 1, one thread, trained another model
// than on the AVX2 ("Haswell") machine that built the committed one -- its
// middle dead (0 % at slots 9-13) -- while with OPENBLAS_CORETYPE=Haswell it
// reproduced the committed training losses bit for bit. The variable is read
// when the library loads, so a process that wants other kernels runs itself
// again with it set.
#include <string>

namespace poslab {

class BlasKernels {
public:
  // OpenBLAS's name for the kernels in use ("Haswell", "Cooperlake", ...);
  // "" when the process's BLAS is not OpenBLAS.
  static std::string current();
  // How OpenBLAS runs a GEMM on several threads: "openmp" (on LibTorch's own
  // OpenMP pool; cmake/PosLabBlas.cmake links this build), "pthreads" (a pool
  // of its own beside LibTorch's), "sequential"; "" when it is not OpenBLAS.
  static std::string threading();
  // "OpenBLAS Haswell (openmp)": what benchmarks print beside the allocator.
  static std::string describe();
  // Runs this process again (same executable and arguments) with
  // OPENBLAS_CORETYPE=`core`, unless the variable is set already or the CPU
  // cannot run those kernels (Haswell: AVX2 and FMA). Returns only when it did
  // not, with the reason in `why`.
  static void pinByRerun(const std::string& core, std::string* why);
};

} // namespace poslab
