#include "core/weights/SafetensorsWriter.h"

#include "core/util/Error.h"

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

static_assert(std::endian::native == std::endian::little, "safetensors is written little-endian");

namespace poslab {

namespace {

// Owns the temporary file until it has been renamed into place; removes it
// on any failure so no ".tmp-" debris is left behind.
class TempFile {
public:
  TempFile(const std::string& finalPath) : path_(finalPath + ".tmp-" + std::to_string(::getpid())) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(path_, "", std::string("cannot create: ") + std::strerror(errno));
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!renamed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, uint64_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, std::min<uint64_t>(n, 1u << 30));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail(path_, "", std::string("write failed: ") + std::strerror(errno));
      p += w;
      n -= static_cast<uint64_t>(w);
    }
  }

  void commit(const std::string& finalPath) {
    if (::fsync(fd_) != 0) fail(path_, "", std::string("fsync failed: ") + std::strerror(errno));
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) fail(path_, "", std::string("close failed: ") + std::strerror(errno));
    if (std::rename(path_.c_str(), finalPath.c_str()) != 0)
      fail(finalPath, "",
           std::string("cannot rename the temporary file into place: ") + std::strerror(errno));
    renamed_ = true;
    // Make the rename itself durable; a failure here loses nothing already written.
    auto dir = std::filesystem::path(finalPath).parent_path();
    const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }

private:
  std::string path_;
  int fd_ = -1;
  bool renamed_ = false;
};

} // namespace

void SafetensorsWriter::write(const std::string& path, const std::vector<Entry>& entries,
                              const std::map<std::string, std::string>& metadata) {
  // Header in the entries' order (ordered_json keeps insertion order).
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const Entry& e : entries) {
    const std::string field = "tensor '" + e.name + "'";
    if (e.name == "__metadata__") fail(path, field, "the name is reserved");
    if (!names.insert(e.name).second) fail(path, field, "appears twice");
    if (e.dtype == DType::Q8_0) fail(path, field, "Q8_0 cannot be stored in safetensors");
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d < 0) fail(path, field, "negative dim " + std::to_string(d));
      if (__builtin_mul_overflow(numel, static_cast<uint64_t>(d), &numel))
        fail(path, field, "shape overflows");
    }
    uint64_t bytes = 0;
    if (!storageBytes(e.dtype, numel, bytes)) fail(path, field, "size overflows");
    if (bytes != e.nbytes)
      fail(path, field,
           "shape needs " + std::to_string(bytes) + " bytes but " + std::to_string(e.nbytes) + " given");
    if (bytes > 0 && !e.data) fail(path, field, "no data");
    header[e.name] = {
        {"dtype", dtypeName(e.dtype)}, {"shape", e.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' '); // data then starts 8-byte aligned
  const uint64_t headerLen = text.size();

  TempFile tmp(path);
  tmp.write(&headerLen, 8); // little-endian host (static_assert in SafetensorsFile.cpp)
  tmp.write(text.data(), headerLen);
  for (const Entry& e : entries)
    if (e.nbytes > 0) tmp.write(e.data, e.nbytes);
  tmp.commit(path);
}

} // namespace poslab
