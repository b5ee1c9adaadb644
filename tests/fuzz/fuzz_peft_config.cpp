// Fuzz target: PEFT adapter_config.json (LoraConfig: target_modules as a list
// or regex, layers_to_transform, exclude_modules, and every refused field).
#include "core/lora/PeftAdapter.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = poslab::fuzz::asFile(data, size, "adapter_config.json");
  try {
    (void)poslab::PeftAdapter::readConfig(std::filesystem::path(path).parent_path().string());
  } catch (const poslab::Error&) {
  }
  return 0;
}
