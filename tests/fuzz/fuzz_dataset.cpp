// Fuzz target: dataset files (every format DatasetLoader detects: lost-in-the-
// middle QA and KV, PosLab JSONL, MuSiQue). A malformed record must be a
// poslab::Error naming file, line and field; anything else escaping is a bug.
#include "core/data/DatasetLoader.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "data.jsonl");
  for (bool skipBad : {false, true}) {
    try {
      const poslab::LoadedDataset ds = poslab::DatasetLoader::load(path, {.skipBad = skipBad});
      for (const auto& ex : ds.examples) {
        (void)ex.goldIndex();
        (void)ex.hopIndices();
      }
    } catch (const poslab::Error&) {
    }
  }
  return 0;
}
