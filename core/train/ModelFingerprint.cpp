#include "core/train/ModelFingerprint.h"

#include "core/data/DataFingerprint.h"
#include "core/data/Sha256.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace poslab {

std::string ModelFingerprint::of(const std::string& path) {
  if (!fs::is_directory(path)) return DataFingerprint::ofFile(path);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() &&
        (n == "config.json" || n.ends_with(".safetensors") || n.ends_with(".safetensors.index.json")))
      names.push_back(n);
  }
  if (names.empty()) fail(path, "", "no config.json or .safetensors files to fingerprint");
  std::sort(names.begin(), names.end());
  Sha256 hash;
  for (const std::string& n : names)
    hash.update(n + " " + DataFingerprint::ofFile((fs::path(path) / n).string()).substr(7) + "\n");
  return "sha256:" + hash.hexDigest();
}

} // namespace poslab
