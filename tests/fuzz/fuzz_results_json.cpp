// Fuzz target: the GUI's readers of result files: a sweep's summary.json
// (SweepCurves::fromRunFolder, DepthGrids::documentCount, and the export
// bundle's BundleRunSource::read, which must never throw), the attention
// matrix `poslab-cli attention --aggregate` writes (AttentionMatrixFile) and a
// saved aggregate.json (AggregateStore::load). The input is those three files
// joined by NUL bytes. Each reader answers a bad file with nullopt and one line
// naming file and field; an exception escaping, a crash or undefined behaviour
// is a bug.
#include "app/gui/AggregateStore.h"
#include "app/gui/AttentionMatrixFile.h"
#include "app/gui/BundleRunSource.h"
#include "app/gui/DepthGrids.h"
#include "app/gui/SweepCurves.h"
#include "tests/fuzz/FuzzInput.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto files = poslab::fuzz::parts(data, size);
  poslab::fuzz::partAsFile(files, 0, "results/run/summary.json");
  poslab::fuzz::partAsFile(files, 1, "results/attention-matrix.json");
  poslab::fuzz::partAsFile(files, 2, "results/workspace/aggregates/a1/aggregate.json");
  const QString dir = QString::fromStdString((poslab::fuzz::folder() / "results").string());
  QString error;
  (void)poslab::SweepCurves::fromRunFolder(dir + "/run", &error);
  (void)poslab::DepthGrids::documentCount(dir + "/run", &error);
  (void)poslab::BundleRunSource::read(dir + "/run");
  (void)poslab::AttentionMatrixFile::read(dir + "/attention-matrix.json", &error);
  (void)poslab::AggregateStore::load(dir + "/workspace", "a1", &error);
  return 0;
}
