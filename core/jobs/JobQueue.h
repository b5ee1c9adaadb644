#pragma once
// <workspace>/jobs/queue.json: jobs waiting for their device (one job per
// device at a time). A file, not GUI state, so the queue survives closing the
// GUI; each change is written at once, atomically.
//   {"jobs": [{"run": ".../runs/ID", "device": "cpu", "args": ["distill", ...],
//              "queued": "2026-12-07T10:00:00Z"}]}
#include <string>
#include <vector>

namespace poslab {

struct QueuedJob {
  std::string run;               // the run folder it will own
  std::string device;            // "cpu", "cuda:0", ...
  std::vector<std::string> args; // poslab-cli's arguments
  std::string queued;            // UTC time
};

class JobQueue {
public:
  explicit JobQueue(std::string path);

  // Reads the file (a missing file is an empty queue). Throws poslab::Error
  // naming the file and the field when it is damaged.
  std::vector<QueuedJob> jobs() const;
  void push(const QueuedJob& job);
  // Removes the job of `run`; false when it was not queued.
  bool remove(const std::string& run);
  // The first job waiting for `device`, removed from the queue; false when none.
  bool take(const std::string& device, QueuedJob& job);

  const std::string& path() const { return path_; }

private:
  void write(const std::vector<QueuedJob>& jobs) const;
  std::string path_;
};

} // namespace poslab
