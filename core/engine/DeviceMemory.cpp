#include "core/engine/DeviceMemory.h"

#include <cstddef>
#include <dlfcn.h>
#include <fstream>

namespace poslab {

namespace {

// A /proc/meminfo field (kB) in bytes; -1 without it.
int64_t meminfo(const std::string& field) {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  int64_t kib = 0;
  while (in >> key >> kib >> unit)
    if (key == field) return kib * 1024;
  return -1;
}

// cudaMemGetInfo(free, total) of device N, with the current device restored;
// false when the CUDA runtime is not in this process or the call fails.
bool cudaMemory(int device, int64_t& freeBytes, int64_t& totalBytes) {
  using GetDevice = int (*)(int*);
  using SetDevice = int (*)(int);
  using MemGetInfo = int (*)(size_t*, size_t*);
  auto getDevice = reinterpret_cast<GetDevice>(dlsym(RTLD_DEFAULT, "cudaGetDevice"));
  auto setDevice = reinterpret_cast<SetDevice>(dlsym(RTLD_DEFAULT, "cudaSetDevice"));
  auto memGetInfo = reinterpret_cast<MemGetInfo>(dlsym(RTLD_DEFAULT, "cudaMemGetInfo"));
  if (!getDevice || !setDevice || !memGetInfo) return false;
  int current = 0;
  if (getDevice(&current) != 0 || setDevice(device) != 0) return false;
  size_t f = 0, t = 0;
  const bool ok = memGetInfo(&f, &t) == 0;
  setDevice(current);
  freeBytes = static_cast<int64_t>(f);
  totalBytes = static_cast<int64_t>(t);
  return ok;
}

// "cuda" -> 0, "cuda:N" -> N; -1 for anything else.
int cudaIndex(const std::string& device) {
  if (device == "cuda") return 0;
  if (device.rfind("cuda:", 0) != 0) return -1;
  try {
    return std::stoi(device.substr(5));
  } catch (const std::exception&) {
    return -1;
  }
}

} // namespace

int64_t DeviceMemory::availableBytes(const std::string& device) {
  if (device.rfind("cuda", 0) != 0) return meminfo("MemAvailable:");
  int64_t f = -1, t = -1;
  const int index = cudaIndex(device);
  return index >= 0 && cudaMemory(index, f, t) ? f : -1;
}

int64_t DeviceMemory::totalBytes(const std::string& device) {
  if (device.rfind("cuda", 0) != 0) return meminfo("MemTotal:");
  int64_t f = -1, t = -1;
  const int index = cudaIndex(device);
  return index >= 0 && cudaMemory(index, f, t) ? t : -1;
}

} // namespace poslab
