#include "core/util/RunLock.h"

#include "core/util/Error.h"
#include "core/util/UtcClock.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace poslab {

namespace {

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

nlohmann::json readInfo(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text); // one line of JSON
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return nlohmann::json::object(); // being written, or torn: the flock still tells
  }
}

} // namespace

std::string RunLock::path(const std::string& runDir) {
  return (std::filesystem::path(runDir) / "run.lock").string();
}

RunLock::RunLock(const std::string& runDir) : path_(path(runDir)) {
  std::filesystem::create_directories(runDir);
  for (int attempt = 0;; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(path_, "", std::string("cannot be opened: ") + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) break;
    // A finishing owner unlinks the file before it lets go: the lock must be on
    // the file the path names now, else it guards nothing.
    struct stat held {
    }, named{};
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      break;
    ::close(fd_);
    fd_ = -1;
    if (attempt == 10) fail(path_, "", "keeps changing under us; is another process starting the run?");
  }
  if (fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const nlohmann::json info = readInfo(path_);
    ::close(fd_);
    fd_ = -1;
    // The owner's words as written, whatever their type: this message must not throw.
    auto said = [&](const char* key) {
      const auto it = info.find(key);
      return it == info.end() ? std::string("?") : it->is_string() ? it->get<std::string>() : it->dump();
    };
    fail(path_, "",
         "the run is owned by a live process (pid " + said("pid") + " on " + said("host") + " since " +
             said("started") + "); wait for it or stop it first");
  }
  const std::string text = nlohmann::json{{"pid", static_cast<int64_t>(::getpid())},
                                          {"host", hostName()},
                                          {"started", UtcClock::now()}}
                               .dump() +
                           "\n";
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()))
    fail(path_, "", std::string("cannot be written: ") + std::strerror(errno));
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // Removed while still locked, so no second owner can lock the old inode meanwhile.
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  ::close(fd_);
}

std::optional<RunLock::Owner> RunLock::inspect(const std::string& runDir) {
  const std::string p = path(runDir);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  Owner o;
  o.info = readInfo(p);
  if (::flock(fd, LOCK_SH | LOCK_NB) == 0)
    ::flock(fd, LOCK_UN);
  else
    o.alive = errno == EWOULDBLOCK;
  ::close(fd);
  return o;
}

} // namespace poslab
