#include "core/util/AtomicFile.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace poslab {

AtomicFile::AtomicFile(std::string finalPath)
    : finalPath_(std::move(finalPath)), tempPath_(finalPath_ + ".tmp-" + std::to_string(::getpid())) {
  fd_ = ::open(tempPath_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(finalPath_, "", std::string("cannot create a temporary file: ") + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tempPath_.c_str());
}

void AtomicFile::write(const void* data, uint64_t n) {
  if (fd_ < 0) fail(finalPath_, "", "write after commit");
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, std::min<uint64_t>(n, 1u << 30));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) fail(finalPath_, "", std::string("write failed: ") + std::strerror(errno));
    p += w;
    n -= static_cast<uint64_t>(w);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) fail(finalPath_, "", "committed twice");
  if (::fsync(fd_) != 0) fail(finalPath_, "", std::string("fsync failed: ") + std::strerror(errno));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0) fail(finalPath_, "", std::string("close failed: ") + std::strerror(errno));
  if (std::rename(tempPath_.c_str(), finalPath_.c_str()) != 0)
    fail(finalPath_, "", std::string("cannot rename the temporary file into place: ") + std::strerror(errno));
  committed_ = true;
  // Make the rename itself durable; a failure here loses nothing already written.
  const auto dir = std::filesystem::path(finalPath_).parent_path();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void AtomicFile::writeText(const std::string& path, std::string_view text) {
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

} // namespace poslab
