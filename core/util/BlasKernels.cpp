#include "core/util/BlasKernels.h"

#include <cstdlib>
#include <dlfcn.h>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace poslab {

std::string BlasKernels::current() {
  // Looked up, not linked: the executables reach OpenBLAS only through LibTorch.
  using CoreName = char* (*)();
  const auto coreName = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = coreName ? coreName() : nullptr;
  return name ? name : "";
}

std::string BlasKernels::threading() {
  using GetParallel = int (*)();
  const auto parallel = reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  if (!parallel) return "";
  switch (parallel()) {
  case 0:
    return "sequential";
  case 1:
    return "pthreads";
  case 2:
    return "openmp";
  default:
    return "unknown";
  }
}

std::string BlasKernels::describe() {
  const std::string core = current();
  return core.empty() ? "not OpenBLAS" : "OpenBLAS " + core + " (" + threading() + ")";
}

void BlasKernels::pinByRerun(const std::string& core, std::string* why) {
  auto say = [&](const std::string& reason) {
    if (why) *why = reason;
  };
  if (const char* set = std::getenv("OPENBLAS_CORETYPE")) return say(std::string("OPENBLAS_CORETYPE=") + set);
  if (current().empty()) return say("the BLAS is not OpenBLAS");
  if (core == "Haswell" && !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")))
    return say("this CPU has no AVX2/FMA for the Haswell kernels");
  // The arguments as this process got them, NUL-separated.
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::ostringstream read;
  read << in.rdbuf();
  const std::string all = read.str();
  std::vector<std::string> args;
  for (size_t at = 0; at < all.size();) {
    const size_t end = all.find('\0', at);
    args.push_back(all.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (args.empty()) return say("/proc/self/cmdline is unreadable");
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  if (setenv("OPENBLAS_CORETYPE", core.c_str(), 1) != 0) return say("setenv failed");
  execv("/proc/self/exe", argv.data());
  unsetenv("OPENBLAS_CORETYPE"); // exec failed: this process goes on with its own kernels
  say("re-running the program failed");
}

} // namespace poslab
