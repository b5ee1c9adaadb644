#pragma once
// The half of EngineController that lives on the worker thread: it owns the
// Engine and runs the blocking core calls (inspect, open, generate). Every
// exception stops here and leaves as a failure signal with a readable message.
#include "app/gui/PlacementBuilder.h"
#include "core/sweep/SweepSettings.h"
#include "widgets/AttentionMassGrid.h"
#include "widgets/GenerationStats.h"
#include "widgets/HeatmapMatrix.h"
#include "widgets/ModelSummary.h"
#include "widgets/SweepCurve.h"

#include <QObject>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>

namespace poslab {

class Engine;
struct LoadOptions;

class EngineWorker : public QObject {
  Q_OBJECT
public:
  // cancel: set from the GUI thread; checked between generated tokens, between
  // the tensors of a load and between the steps of sweeps and analyses.
  explicit EngineWorker(const std::atomic<bool>* cancel);
  ~EngineWorker() override;

  // Both run on the worker thread; EngineController queues them there.
  // Inspects first (a bad file fails before the loaded model is dropped), then
  // frees the previous model and loads the new one.
  void load(const QString& path, const poslab::LoadOptions& options);
  void generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  // A position sweep of the loaded model into runDir (resumes what is there).
  void runSweep(const poslab::SweepSettings& settings, const QString& runDir);
  // One placement for the explorer; skipped when a newer request (serial <
  // *latest) is already waiting, so the newest slider position wins.
  void explore(const poslab::PlacementRequest& request, quint64 serial, const std::atomic<quint64>* latest);
  // The token-level map of one layer for a placement (skipped like explore when
  // a newer explorer request waits).
  void tokenMap(const poslab::PlacementRequest& request, int layer, poslab::HeadReduction heads,
                quint64 serial, const std::atomic<quint64>* latest);
  // Attention mass per document × gold position over the first `examples` examples.
  void aggregate(const poslab::SweepSettings& settings, int examples, poslab::QuerySelection query);
  // One sweep per entry (a depth × context-length study), in order, each into
  // its run folder; a cancel stops the sweep in progress and the rest.
  void runDepth(const QVector<poslab::SweepSettings>& sweeps, const QStringList& runDirs);

Q_SIGNALS:
  void inspected(const poslab::ModelSummary& estimate);
  void cudaAvailable(bool available);
  void unloaded();
  void loaded(const poslab::ModelSummary& summary);
  // Stored weight bytes read so far of a load: at most ~10 a second, always
  // the first (0 of total) and a finished load's last (done == total).
  void loadProgress(qint64 bytesDone, qint64 bytesTotal);
  void loadFailed(const QString& message);
  // Text pieces are coalesced (at most one signal per ~30 ms) so that a fast
  // model cannot flood the GUI thread's event queue.
  void token(const QString& piece, int generatedTokens);
  void generationFinished(const poslab::GenerationStats& stats);
  void generationFailed(const QString& message);
  // The run's whole curve so far, at most every ~100 ms and once at the end.
  void sweepCurve(const poslab::SweepCurve& curve);
  void sweepProgress(int done, int total, double etaSeconds, double tokensPerSecond);
  void sweepFinished(const QString& runDir, const QString& status);
  void sweepFailed(const QString& message);
  void positionCount(const QString& key, int count);
  void placement(const QString& key, const poslab::PlacementDetails& details);
  void exploreFailed(const QString& key, const QString& message);
  void tokenMapReady(const QString& key, const poslab::HeatmapMatrix& matrix);
  void aggregateProgress(int done, int total);
  void aggregateFinished(const poslab::AttentionMassGrid& grid, bool complete);
  void aggregateFailed(const QString& message);
  // sweep `index` of `count`: done / total records of that sweep.
  void depthProgress(int index, int count, int done, int total, double etaSeconds);
  void depthFinished(const QStringList& runDirs, const QString& status);
  void depthFailed(const QString& message);
  void loadCancelled();

private:
  void probeCuda(const std::string& path);
  // One sweep of the loaded model into runDir; curves and progress as signals.
  std::string sweep(const poslab::SweepSettings& settings, const QString& runDir,
                    const std::function<void(int done, int total, double eta, double tps)>& onProgress);
  PlacementBuilder& placements();

  const std::atomic<bool>* cancel_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<PlacementBuilder> placements_; // keeps the explored dataset loaded
  bool cudaProbed_ = false;
};

} // namespace poslab
