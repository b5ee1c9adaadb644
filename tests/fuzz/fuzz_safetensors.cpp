// Fuzz target: safetensors files (header JSON, dtypes, shapes, offsets). The
// promise is safetensors' own: a bounds-checked header; every tensor view lies
// inside the file.
#include "core/util/Error.h"
#include "core/weights/MappedFile.h"
#include "core/weights/SafetensorsFile.h"
#include "tests/fuzz/FuzzInput.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "model.safetensors");
  try {
    const poslab::SafetensorsFile file(path);
    const auto* begin = file.mapping()->data();
    for (const poslab::TensorView& v : file.tensors()) {
      // Every view lies inside the mapped file, and its bytes match its shape.
      if (v.nbytes > 0 && (v.data < begin || v.data + v.nbytes > begin + file.mapping()->size()))
        std::abort();
      uint64_t bytes = 0;
      if (!poslab::storageBytes(v.dtype, static_cast<uint64_t>(v.numel()), bytes) || bytes != v.nbytes)
        std::abort();
    }
  } catch (const poslab::Error&) {
  }
  return 0;
}
