#pragma once
// Writes a .safetensors file (format: see SafetensorsFile.h) atomically: the bytes
// go to "<path>.tmp-<pid>", are fsync'ed, then renamed over path, so a reader
// never sees a torn file and a crash leaves the old file intact.
#include "core/weights/TensorView.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace poslab {

class SafetensorsWriter {
public:
  struct Entry {
    std::string name;
    DType dtype = DType::F32;   // any plain dtype; Q8_0 has no safetensors name
    std::vector<int64_t> shape; // row-major
    const void* data = nullptr; // nbytes of contiguous row-major data
    uint64_t nbytes = 0;        // must equal numel × element size
  };

  // Tensors are stored in the given order, the header padded with spaces to a
  // multiple of 8 bytes. Throws poslab::Error naming the file and the entry.
  static void write(const std::string& path, const std::vector<Entry>& entries,
                    const std::map<std::string, std::string>& metadata = {});
};

} // namespace poslab
