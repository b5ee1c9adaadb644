#pragma once
// summary.json's data.fingerprint: "sha256:<hex>" of the file's bytes as stored
// (the compressed bytes for .gz), so it can be checked with `sha256sum` and
// against the checksums a dataset publishes (e.g. SOURCE.md of lost-in-the-middle).
#include <string>

namespace poslab {

class DataFingerprint {
public:
  static std::string ofFile(const std::string& path);
};

} // namespace poslab
