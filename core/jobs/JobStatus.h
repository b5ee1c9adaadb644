#pragma once
// Where a training or distill job stands, as the GUI's job list shows it. Read
// from the run folder alone (DESIGN.md "Training runs, jobs and processes"):
// run.json's status says what the owner last did, run.lock's flock whether an
// owner is still alive, so a run killed with -9 reads as Dead, not Training.
#include <string>

namespace poslab {

enum class JobStatus {
  Queued,     // waiting in the GUI's queue for its device; no process yet
  Starting,   // a process was started and has not written run.json yet
  Preparing,  // the teacher writes the distill set
  Training,   //
  Evaluating, // a held-out sweep of the current weights
  Planned,    // stopped after --plan (resumable: it trains)
  Prepared,   // stopped after --prepare-only (resumable: it trains)
  Finished,   //
  Cancelled,  // stopped on request with a checkpoint (resumable)
  Failed,     // the process reported an error (events.jsonl, run.json or its log)
  Dead        // the owner is gone without saying so (kill -9, power loss): resumable
};

class JobStatusName {
public:
  static std::string of(JobStatus s); // "queued", "training", ...
  // A process owns the run now (or is about to).
  static bool active(JobStatus s);
  // `poslab-cli distill --resume` can continue it.
  static bool resumable(JobStatus s);
};

} // namespace poslab
