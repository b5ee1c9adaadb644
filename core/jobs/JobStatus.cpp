#include "core/jobs/JobStatus.h"

namespace poslab {

std::string JobStatusName::of(JobStatus s) {
  switch (s) {
  case JobStatus::Queued:
    return "queued";
  case JobStatus::Starting:
    return "starting";
  case JobStatus::Preparing:
    return "preparing";
  case JobStatus::Training:
    return "training";
  case JobStatus::Evaluating:
    return "evaluating";
  case JobStatus::Planned:
    return "planned";
  case JobStatus::Prepared:
    return "prepared";
  case JobStatus::Finished:
    return "finished";
  case JobStatus::Cancelled:
    return "cancelled";
  case JobStatus::Failed:
    return "failed";
  case JobStatus::Dead:
    return "dead";
  }
  return "unknown";
}

bool JobStatusName::active(JobStatus s) {
  return s == JobStatus::Starting || s == JobStatus::Preparing || s == JobStatus::Training ||
         s == JobStatus::Evaluating;
}

bool JobStatusName::resumable(JobStatus s) {
  // A failed run resumes from its last checkpoint too: the failure may have been
  // the disk or the machine, and --resume says so again if it was the settings.
  return s == JobStatus::Planned || s == JobStatus::Prepared || s == JobStatus::Cancelled ||
         s == JobStatus::Failed || s == JobStatus::Dead || s == JobStatus::Finished;
}

} // namespace poslab
