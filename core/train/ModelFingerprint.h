#pragma once
// run.json's model.fingerprint: "sha256:<hex>". A .gguf (or any single file):
// the file's SHA-256, as `sha256sum` prints it. A Hugging Face folder: the
// SHA-256 of the lines "<file> <sha256 of the file>\n" for config.json and every
// *.safetensors / *.json index in name order, so any change to the weights or
// the architecture changes it.
#include <string>

namespace poslab {

class ModelFingerprint {
public:
  static std::string of(const std::string& path);
};

} // namespace poslab
