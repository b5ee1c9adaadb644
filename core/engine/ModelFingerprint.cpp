#include "core/engine/ModelFingerprint.h"

#include "core/data/Sha256.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace poslab {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kWhole = 64ull << 20; // files up to this size are hashed whole
constexpr uint64_t kEdge = 4ull << 20;   // else their first and last bytes

void hashRange(Sha256& hash, std::ifstream& in, uint64_t offset, uint64_t size, const std::string& name) {
  std::vector<char> chunk(1 << 16);
  in.seekg(static_cast<std::streamoff>(offset));
  while (size > 0) {
    const auto n = static_cast<std::streamsize>(std::min<uint64_t>(size, chunk.size()));
    in.read(chunk.data(), n);
    if (in.gcount() != n) fail(name, "", "read error while fingerprinting");
    hash.update(chunk.data(), static_cast<size_t>(n));
    size -= static_cast<uint64_t>(n);
  }
}

void hashFile(Sha256& hash, const fs::path& file, const std::string& label) {
  const uint64_t size = fs::file_size(file);
  hash.update(label + "\n" + std::to_string(size) + "\n");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file.string(), "", "cannot open");
  if (size <= kWhole) {
    hashRange(hash, in, 0, size, file.string());
  } else {
    hashRange(hash, in, 0, kEdge, file.string());
    hashRange(hash, in, size - kEdge, kEdge, file.string());
  }
}

void hashPath(Sha256& hash, const std::string& path, const std::string& prefix) {
  const fs::path root(path);
  if (fs::is_regular_file(root)) {
    hashFile(hash, root, prefix + root.filename().string());
  } else if (fs::is_directory(root)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      hashFile(hash, f, prefix + f.filename().string());
  } else {
    fail(path, "", "no such model file or folder");
  }
}

} // namespace

std::string ModelFingerprint::of(const std::string& modelPath, const std::string& adapterDir) {
  const ModelPaths paths = ModelPaths::resolve(modelPath, adapterDir);
  Sha256 hash;
  hashPath(hash, paths.base, "");
  // Labels of the adapter's files differ from any base file's, so moving a
  // file between the two changes the fingerprint.
  if (!paths.adapter.empty()) hashPath(hash, paths.adapter, "adapter/");
  return "quick-sha256:" + hash.hexDigest();
}

} // namespace poslab
