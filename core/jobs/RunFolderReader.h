#pragma once
// Follows one run folder (DESIGN.md "Training runs, jobs and processes") the
// way `tail -f` follows a log: each refresh() reads only what events.jsonl
// gained since the last one, keeps a torn last line for the next turn, and
// starts over when the file shrank (a run folder replaced). run.json, run.lock
// and the checkpoint folders are small and read whole. Nothing here throws:
// a file that cannot be read is a line in snapshot().problems, because one bad
// run must not take the job list down.
#include "core/jobs/JobSnapshot.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace poslab {

class RunFolderReader {
public:
  explicit RunFolderReader(std::string runDir);

  // Reads what changed; true when the snapshot did.
  bool refresh();
  const JobSnapshot& snapshot() const { return snap_; }

  // A folder is a training run when its run.json says kind train/distill, or
  // when the GUI started a process there that has not written run.json yet.
  static bool isTrainingRun(const std::string& runDir);

private:
  void reset();
  void readEvents(bool& changed);
  void apply(const nlohmann::json& e, long long lineNo);
  void readRunJson(bool& changed);
  void scanCheckpoints(bool& changed); // the checkpoint folders on disk, when they changed
  void joinCheckpoints();              // with the events: pruned ones, loss and held-out accuracy
  void resolveStatus();
  void summarise();

  std::string dir_;
  JobSnapshot snap_;
  std::uintmax_t offset_ = 0; // bytes of events.jsonl consumed
  std::string partial_;       // a last line without its newline yet
  long long lineNo_ = 0;
  std::string runJsonStamp_;                                             // size + mtime of run.json last read
  std::map<long long, std::pair<std::string, double>> checkpointEvents_; // step -> (path, time)
  std::set<std::string> damaged_; // the errors of checkpoint_damaged events (they name the folder)
  std::string lastError_;         // the last error event's message
  std::string checkpointStamp_;   // checkpoints/ mtime, latest and pins.json, as last scanned
  std::map<long long, JobCheckpoint> onDisk_; // that scan: step -> folder, size, pinned, latest
  std::string runJsonProblem_;                // run.json cannot be read ("" when it can)
  std::vector<std::string> eventProblems_;    // lines of events.jsonl that could not be read
  std::string pinsProblem_;                   // pins.json cannot be read
  std::vector<std::string> fileProblems_;     // found again by this refresh (pins, launch.json)
};

} // namespace poslab
