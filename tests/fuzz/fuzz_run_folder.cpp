// Fuzz target: a run folder as the job list follows it (RunFolderReader):
// run.json, events.jsonl, checkpoints/pins.json and logs/launch.json, the input
// being those four files joined by NUL bytes. RunFolderReader promises never to
// throw (a bad file is a line in snapshot().problems), so nothing is caught:
// any exception is a bug. events.jsonl is read twice, as a running job's grows:
// first as written, then with a newline that completes a torn last line.
#include "core/jobs/RunFolderReader.h"
#include "tests/fuzz/FuzzInput.h"

#include <filesystem>
#include <fstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto files = poslab::fuzz::parts(data, size);
  const std::filesystem::path dir = poslab::fuzz::folder() / "run";
  // A fresh folder each time: RunFolderReader keys its re-reads on sizes and
  // modification times, which a rewrite within one clock tick may not change.
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "checkpoints" / "step-000010");
  std::ofstream(dir / "checkpoints" / "latest") << "step-000010\n";
  poslab::fuzz::partAsFile(files, 0, "run/run.json");
  poslab::fuzz::partAsFile(files, 1, "run/events.jsonl");
  poslab::fuzz::partAsFile(files, 2, "run/checkpoints/pins.json");
  poslab::fuzz::partAsFile(files, 3, "run/logs/launch.json");

  (void)poslab::RunFolderReader::isTrainingRun(dir.string());
  poslab::RunFolderReader reader(dir.string());
  reader.refresh();
  std::ofstream(dir / "events.jsonl", std::ios::app) << '\n';
  reader.refresh();
  const poslab::JobSnapshot& snap = reader.snapshot();
  (void)snap.problems.size();
  return 0;
}
