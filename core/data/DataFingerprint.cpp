#include "core/data/DataFingerprint.h"

#include "core/data/Sha256.h"
#include "core/util/Error.h"

#include <filesystem>
#include <fstream>
#include <vector>

namespace poslab {

std::string DataFingerprint::ofFile(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(name, "", "cannot open " + path);
  Sha256 hash;
  std::vector<char> chunk(1 << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hash.update(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) fail(name, "", "read error");
  return "sha256:" + hash.hexDigest();
}

} // namespace poslab
