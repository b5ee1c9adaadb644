#pragma once
// The GUI thread's handle on the engine. Work runs on a worker thread that this
// object owns as a member (Tiled's pattern): requests are queued to an
// EngineWorker moved onto it, results come back as queued signals. Cancelling
// sets an atomic flag directly (a queued request would wait behind the job).
#include "app/gui/PlacementBuilder.h"
#include "core/engine/Engine.h"
#include "core/sweep/SweepSettings.h"
#include "widgets/AttentionMassGrid.h"
#include "widgets/GenerationStats.h"
#include "widgets/HeatmapMatrix.h"
#include "widgets/ModelSummary.h"
#include "widgets/SweepCurve.h"

#include <QObject>
#include <QStringList>
#include <QThread>
#include <QVector>
#include <atomic>

namespace poslab {

class EngineWorker;

class EngineController : public QObject {
  Q_OBJECT
public:
  explicit EngineController(QObject* parent = nullptr);
  // Cancels the running job (a load stops at its next tensor) and waits for the worker.
  ~EngineController() override;

  // Inspect, then load; false (and nothing queued) while another job runs.
  bool loadModel(const QString& path, const LoadOptions& options);
  bool generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  bool runSweep(const SweepSettings& settings, const QString& runDir);
  // Queued behind any running job; only the newest request is computed.
  bool explore(const PlacementRequest& request);
  // Like explore: the newest explorer request wins.
  bool tokenMap(const PlacementRequest& request, int layer, HeadReduction heads);
  // Busy jobs, cancellable: false (and nothing queued) while another job runs or with no model.
  bool aggregate(const SweepSettings& settings, int examples, QuerySelection query);
  bool runDepth(const QVector<SweepSettings>& sweeps, const QStringList& runDirs);
  // Stops the running job; a model load in progress stops at its next tensor and
  // ends with modelUnloaded + loadCancelled.
  void cancel();

  bool isBusy() const { return busy_; }
  bool hasModel() const { return hasModel_; }
  bool cudaAvailable() const { return cudaAvailable_; }

Q_SIGNALS:
  void busyChanged(bool busy);
  void modelInspected(const poslab::ModelSummary& estimate); // before the weights load
  void cudaAvailabilityKnown(bool available);
  void modelUnloaded();
  void modelLoaded(const poslab::ModelSummary& summary);
  // Stored weight bytes read so far while a model loads (≤ ~10 a second; a
  // finished load ends with done == total, a cancelled one stops below it).
  void loadProgress(qint64 bytesDone, qint64 bytesTotal);
  void loadFailed(const QString& message);
  void generationStarted();
  void token(const QString& piece, int generatedTokens);
  void generationFinished(const poslab::GenerationStats& stats);
  void generationFailed(const QString& message);
  void sweepStarted(const QString& runDir);
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
  void depthProgress(int index, int count, int done, int total, double etaSeconds);
  void depthFinished(const QStringList& runDirs, const QString& status);
  void depthFailed(const QString& message);
  void loadCancelled();

private:
  void setBusy(bool busy);

  std::atomic<bool> cancel_{false};
  std::atomic<quint64> exploreSerial_{0};
  QThread thread_;
  EngineWorker* worker_ = nullptr; // lives on thread_; deleted after it stops
  bool busy_ = false;
  bool hasModel_ = false;
  bool cudaAvailable_ = false;
};

} // namespace poslab
