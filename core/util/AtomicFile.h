#pragma once
// A file written under a temporary name and renamed into place only when it is
// complete (DESIGN.md: checkpoints, summaries and configs must never be torn).
// Until commit() the final path keeps its old contents; on any failure, or if
// the object is destroyed without commit(), the temporary file is removed.
#include <cstdint>
#include <string>
#include <string_view>

namespace poslab {

class AtomicFile {
public:
  explicit AtomicFile(std::string finalPath);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, uint64_t n);
  void write(std::string_view text) { write(text.data(), text.size()); }
  // fsync, close, rename over the final path, fsync the folder.
  void commit();

  const std::string& path() const { return finalPath_; }

  // The whole of `text` to `path`, atomically.
  static void writeText(const std::string& path, std::string_view text);

private:
  std::string finalPath_;
  std::string tempPath_;
  int fd_ = -1;
  bool committed_ = false;
};

} // namespace poslab
