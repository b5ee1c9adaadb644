#pragma once
// Everything the GUI shows of one training or distill run, read from its run
// folder alone (RunFolderReader). Plain types: widgets and app/ read it
// without touching torch or the files' formats.
#include "core/jobs/JobStatus.h"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct JobStep {
  long long step = 0;
  double unixTime = 0;
  double loss = 0, lr = 0, gradNorm = 0;
  double tokensPerS = 0, stepS = 0;
  double anchorKl = -1;               // -1: the objective has no anchor term
  std::map<int, double> klByPosition; // 0-based gold position -> mean KL this step
};

struct JobEvalPosition {
  int position = 0; // 0-based
  long long n = 0;
  double accuracy = 0;
};

struct JobEval {
  long long step = 0; // 0 = the base model
  double unixTime = 0;
  double meanAccuracy = 0, worstAccuracy = 0;
  std::string path; // relative to the run folder: eval/step-N
  std::vector<JobEvalPosition> positions;
};

struct JobCheckpoint {
  long long step = 0;
  std::string path;                     // relative: checkpoints/step-000050
  double unixTime = 0;                  // when it was written
  long long bytes = 0;                  // every file its manifest lists
  double loss = -1;                     // the training loss at that step (-1 unknown)
  double evalMean = -1, evalWorst = -1; // held-out accuracy at that step (-1 none)
  bool pinned = false;                  // kept from pruning (checkpoints/pins.json)
  bool latest = false;                  // checkpoints/latest names it: --resume starts here
  bool pruned = false;                  // written, then removed by --keep-checkpoints
  bool damaged = false;                 // a checkpoint_damaged event named it
};

struct JobLogLine {
  double unixTime = 0;
  std::string event; // "start", "eval", "error", ...
  std::string text;  // one readable line
  bool error = false;
};

struct JobSnapshot {
  std::string runDir;
  std::string id;   // the folder's name
  std::string kind; // "distill" | "train" ("" before run.json exists)
  std::string method, model, data, device;
  JobStatus status = JobStatus::Starting;
  std::string statusDetail; // why it failed / who owns it
  long long ownerPid = 0;   // the live owner's pid (0: none)
  long long step = 0, totalSteps = 0;
  long long preparedQuestions = 0, totalQuestions = 0;
  double startedUnix = 0; // first event
  double updatedUnix = 0; // last event
  double elapsedS = 0;    // time spent in the run's processes (summed over resumes)
  double etaS = -1;       // to the last step, from recent step times (-1 unknown)
  double tokensPerS = 0;  // recent mean
  std::vector<JobStep> steps;
  std::vector<JobEval> evals;
  std::vector<JobCheckpoint> checkpoints;
  std::vector<JobLogLine> log;
  std::vector<std::string> problems; // unreadable lines, files that fail to parse
  nlohmann::json runJson;            // as written (empty object before it exists)
};

} // namespace poslab
