// Fuzz target: PEFT adapter_config.json as PeftAdapter reads it (LoraConfig:
// target_modules as a list or regex, layers_to_transform, exclude_modules, and
// every refused field), then checked against a 32-layer base as loading does.
#include "core/lora/LoraConfig.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "adapter_config.json");
  try {
    const poslab::LoraConfig c = poslab::LoraConfig::fromJson(poslab::JsonFile::readObject(path), path);
    c.checkAgainst(32, path);
  } catch (const poslab::Error&) {
  }
  return 0;
}
