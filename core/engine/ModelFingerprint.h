#pragma once
// summary.json's model.fingerprint. Hashing every byte of a 16 GB model would
// take a minute per sweep, so the fingerprint covers every file's name and
// size, the whole of each small file (configs, tokenizers: < 64 MiB) and the
// first and last 4 MiB of each large one (weights): "quick-sha256:<hex>". Two
// runs with the same fingerprint used the same files unless someone edited the
// middle of a weight file in place, keeping its size.
#include <string>

namespace poslab {

// With a LoRA adapter (given as --adapter, or as MODEL naming its base), the
// fingerprint covers the base's files and then the adapter folder's, so a run
// on base + adapter never matches a run on the base alone.
class ModelFingerprint {
public:
  static std::string of(const std::string& modelPath, const std::string& adapterDir = "");
};

} // namespace poslab
