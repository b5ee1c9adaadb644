#pragma once
// Free memory of a device, for memory plans (`--plan`) and the GUI's device
// list: the CPU's MemAvailable, or a CUDA device's free bytes as the CUDA
// runtime reports them (cudaMemGetInfo). The runtime is looked up in the
// running process (a CUDA LibTorch has loaded it), so a CPU-only build needs
// no CUDA headers or libraries and reports CUDA memory as unknown.
#include <cstdint>
#include <string>

namespace poslab {

class DeviceMemory {
public:
  // Bytes available on "cpu", "cuda" or "cuda:N"; -1 when unknown.
  static int64_t availableBytes(const std::string& device);
  // Total bytes of a CUDA device; -1 when unknown (and for the CPU: MemTotal).
  static int64_t totalBytes(const std::string& device);
};

} // namespace poslab
