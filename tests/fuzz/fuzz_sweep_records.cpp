// Fuzz target: a sweep folder as the core reads it back: examples.jsonl
// (ExamplesLog, SweepRecord::fromJson) when a sweep resumes and when two runs
// are compared (SweepComparison::ofRuns, the before/after view's McNemar
// test), the summary of those records (SweepSummary::of) and the finished
// check a resumed distill run makes on eval/step-N/summary.json
// (SweepSummary::finishedIn). The input is run A's examples.jsonl, run B's and
// run A's summary.json joined by NUL bytes. A bad file is a poslab::Error
// naming file, line and field; any other exception, a crash or undefined
// behaviour is a bug.
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/SweepComparison.h"
#include "core/sweep/SweepSummary.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto files = poslab::fuzz::parts(data, size);
  poslab::fuzz::partAsFile(files, 0, "sweeps/a/examples.jsonl");
  poslab::fuzz::partAsFile(files, 1, "sweeps/b/examples.jsonl");
  poslab::fuzz::partAsFile(files, 2, "sweeps/a/summary.json");
  const std::string a = (poslab::fuzz::folder() / "sweeps" / "a").string();
  const std::string b = (poslab::fuzz::folder() / "sweeps" / "b").string();
  try {
    const std::vector<poslab::SweepRecord> records = poslab::ExamplesLog::read(a + "/examples.jsonl");
    (void)poslab::SweepSummary::of(records).csv();
  } catch (const poslab::Error&) {
  }
  try {
    (void)poslab::SweepComparison::ofRuns(a, b).toJson().dump();
  } catch (const poslab::Error&) {
  }
  try {
    (void)poslab::SweepSummary::finishedIn(a);
  } catch (const poslab::Error&) {
  }
  return 0;
}
