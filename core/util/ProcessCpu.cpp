#include "core/util/ProcessCpu.h"

#include <chrono>
#include <dlfcn.h>
#include <sys/resource.h>

namespace poslab {

namespace {

double toSeconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
}

} // namespace

CpuSeconds CpuSeconds::operator-(const CpuSeconds& since) const {
  return {wall - since.wall, user - since.user, system - since.system, minorFaults - since.minorFaults};
}

CpuSeconds ProcessCpu::now() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r); // cannot fail for RUSAGE_SELF with a valid pointer
  const auto wall = std::chrono::steady_clock::now().time_since_epoch();
  return {std::chrono::duration<double>(wall).count(), toSeconds(r.ru_utime), toSeconds(r.ru_stime),
          r.ru_minflt};
}

std::string ProcessCpu::allocator() {
  // Each allocator exports an entry point glibc does not; the global lookup
  // sees the library that also provides the process's malloc().
  if (dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty")) return "tcmalloc";
  if (dlsym(RTLD_DEFAULT, "mallctl")) return "jemalloc";
  return "glibc";
}

} // namespace poslab
