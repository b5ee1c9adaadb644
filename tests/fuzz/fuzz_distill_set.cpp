// Fuzz target: distill sets (RUN/distill-set.jsonl and hand-made ones): every
// bad line is a poslab::Error naming file, line and field.
#include "core/distill/DistillSet.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "distill-set.jsonl");
  try {
    const poslab::DistillSet set = poslab::DistillSet::read(path);
    set.check(512, 512);
  } catch (const poslab::Error&) {
  }
  return 0;
}
