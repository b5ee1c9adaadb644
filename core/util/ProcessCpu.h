#pragma once
// What this process spent: wall, user and system CPU seconds, and the malloc it
// runs on. Benchmarks report user and system time beside wall time, so a
// regression in system time (an allocator faulting pages in every step,
// BENCHMARKS.md "Allocator") shows even when wall time hides it on a busy machine.
#include <string>

namespace poslab {

struct CpuSeconds {
  double wall = 0;
  double user = 0;
  double system = 0;
  long minorFaults = 0; // pages the kernel had to map in (glibc's malloc: millions per run)

  CpuSeconds operator-(const CpuSeconds& since) const;
};

class ProcessCpu {
public:
  // Since an arbitrary fixed point (wall) and since the process started (CPU).
  static CpuSeconds now();
  // "tcmalloc", "jemalloc" or "glibc": whose malloc() this process resolved,
  // linked (CMake's POSLAB_ALLOCATOR) or preloaded.
  static std::string allocator();
};

} // namespace poslab
