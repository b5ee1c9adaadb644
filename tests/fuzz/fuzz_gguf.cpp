// Fuzz target: GGUF files (header, metadata key/values of every type, arrays,
// tensor infos). llama.cpp's GGUF reader needed fixes found this way.
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "model.gguf");
  try {
    const poslab::GgufFile file(path);
    for (const std::string& key : file.keys())
      (void)file.find(key);
  } catch (const poslab::Error&) {
  }
  return 0;
}
