#pragma once
// <run>/run.lock (DESIGN.md "Training runs, jobs and processes"): the process
// that owns a run holds it. The file says who (pid, host, start time) for
// people and the GUI; an exclusive flock(2) on it says whether that owner is
// alive, so a reader tells a live run from a dead one even after a kill -9 (the
// kernel drops the lock with the process) and a reused pid cannot fool it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace poslab {

class RunLock {
public:
  // Takes the lock of runDir or throws poslab::Error naming the live owner.
  explicit RunLock(const std::string& runDir);
  ~RunLock(); // releases it and removes the file
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  struct Owner {
    nlohmann::json info; // {"pid", "host", "started"} as written
    bool alive = false;  // some process holds the lock now
  };
  // Who holds (or last held) runDir's lock; nullopt when there is no lock file.
  static std::optional<Owner> inspect(const std::string& runDir);
  static std::string path(const std::string& runDir);

private:
  std::string path_;
  int fd_ = -1;
};

} // namespace poslab
