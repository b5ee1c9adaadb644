#include "app/gui/EngineController.h"

#include "app/gui/EngineWorker.h"

namespace poslab {

EngineController::EngineController(QObject* parent) : QObject(parent) {
  qRegisterMetaType<ModelSummary>();
  qRegisterMetaType<GenerationStats>();
  qRegisterMetaType<SweepCurve>();
  qRegisterMetaType<PlacementDetails>();
  qRegisterMetaType<HeatmapMatrix>();
  qRegisterMetaType<AttentionMassGrid>();
  thread_.setObjectName("PosLab engine");
  worker_ = new EngineWorker(&cancel_);
  worker_->moveToThread(&thread_);

  // Worker -> GUI thread (queued: the receiver lives here).
  connect(worker_, &EngineWorker::inspected, this, &EngineController::modelInspected);
  connect(worker_, &EngineWorker::cudaAvailable, this, [this](bool available) {
    cudaAvailable_ = available;
    Q_EMIT cudaAvailabilityKnown(available);
  });
  connect(worker_, &EngineWorker::unloaded, this, [this] {
    hasModel_ = false;
    Q_EMIT modelUnloaded();
  });
  connect(worker_, &EngineWorker::loaded, this, [this](const ModelSummary& summary) {
    hasModel_ = true;
    setBusy(false);
    Q_EMIT modelLoaded(summary);
  });
  connect(worker_, &EngineWorker::loadProgress, this, &EngineController::loadProgress);
  connect(worker_, &EngineWorker::loadFailed, this, [this](const QString& message) {
    setBusy(false);
    Q_EMIT loadFailed(message);
  });
  connect(worker_, &EngineWorker::token, this, &EngineController::token);
  connect(worker_, &EngineWorker::generationFinished, this, [this](const GenerationStats& stats) {
    setBusy(false);
    Q_EMIT generationFinished(stats);
  });
  connect(worker_, &EngineWorker::generationFailed, this, [this](const QString& message) {
    setBusy(false);
    Q_EMIT generationFailed(message);
  });
  connect(worker_, &EngineWorker::sweepCurve, this, &EngineController::sweepCurve);
  connect(worker_, &EngineWorker::sweepProgress, this, &EngineController::sweepProgress);
  connect(worker_, &EngineWorker::sweepFinished, this, [this](const QString& runDir, const QString& status) {
    setBusy(false);
    Q_EMIT sweepFinished(runDir, status);
  });
  connect(worker_, &EngineWorker::sweepFailed, this, [this](const QString& message) {
    setBusy(false);
    Q_EMIT sweepFailed(message);
  });
  connect(worker_, &EngineWorker::positionCount, this, &EngineController::positionCount);
  connect(worker_, &EngineWorker::placement, this, &EngineController::placement);
  connect(worker_, &EngineWorker::exploreFailed, this, &EngineController::exploreFailed);
  connect(worker_, &EngineWorker::tokenMapReady, this, &EngineController::tokenMapReady);
  connect(worker_, &EngineWorker::aggregateProgress, this, &EngineController::aggregateProgress);
  connect(worker_, &EngineWorker::aggregateFinished, this,
          [this](const AttentionMassGrid& grid, bool complete) {
            setBusy(false);
            Q_EMIT aggregateFinished(grid, complete);
          });
  connect(worker_, &EngineWorker::aggregateFailed, this, [this](const QString& message) {
    setBusy(false);
    Q_EMIT aggregateFailed(message);
  });
  connect(worker_, &EngineWorker::depthProgress, this, &EngineController::depthProgress);
  connect(worker_, &EngineWorker::depthFinished, this,
          [this](const QStringList& runDirs, const QString& status) {
            setBusy(false);
            Q_EMIT depthFinished(runDirs, status);
          });
  connect(worker_, &EngineWorker::depthFailed, this, [this](const QString& message) {
    setBusy(false);
    Q_EMIT depthFailed(message);
  });
  connect(worker_, &EngineWorker::loadCancelled, this, [this] {
    setBusy(false);
    Q_EMIT loadCancelled();
  });
  thread_.start();
}

EngineController::~EngineController() {
  cancel_ = true;
  thread_.requestInterruption();
  thread_.quit();
  thread_.wait();
  delete worker_; // its thread has stopped: safe to delete from here
}

bool EngineController::loadModel(const QString& path, const LoadOptions& options) {
  if (busy_) return false;
  cancel_ = false;
  setBusy(true);
  QMetaObject::invokeMethod(
      worker_, [worker = worker_, path, options] { worker->load(path, options); }, Qt::QueuedConnection);
  return true;
}

bool EngineController::generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText) {
  if (busy_) return false;
  // Reset here, not on the worker: a cancel() right after this call must win.
  cancel_ = false;
  setBusy(true);
  Q_EMIT generationStarted();
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, prompt, maxNewTokens, stopAtEndOfText] {
        worker->generate(prompt, maxNewTokens, stopAtEndOfText);
      },
      Qt::QueuedConnection);
  return true;
}

bool EngineController::runSweep(const SweepSettings& settings, const QString& runDir) {
  if (busy_ || !hasModel_) return false;
  cancel_ = false;
  setBusy(true);
  Q_EMIT sweepStarted(runDir);
  QMetaObject::invokeMethod(
      worker_, [worker = worker_, settings, runDir] { worker->runSweep(settings, runDir); },
      Qt::QueuedConnection);
  return true;
}

bool EngineController::explore(const PlacementRequest& request) {
  if (!hasModel_) return false;
  const quint64 serial = ++exploreSerial_;
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, request, serial, latest = &exploreSerial_] {
        worker->explore(request, serial, latest);
      },
      Qt::QueuedConnection);
  return true;
}

bool EngineController::tokenMap(const PlacementRequest& request, int layer, HeadReduction heads) {
  if (!hasModel_) return false;
  const quint64 serial = ++exploreSerial_;
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, request, layer, heads, serial, latest = &exploreSerial_] {
        worker->tokenMap(request, layer, heads, serial, latest);
      },
      Qt::QueuedConnection);
  return true;
}

bool EngineController::aggregate(const SweepSettings& settings, int examples, QuerySelection query) {
  if (busy_ || !hasModel_) return false;
  cancel_ = false;
  setBusy(true);
  QMetaObject::invokeMethod(
      worker_,
      [worker = worker_, settings, examples, query] { worker->aggregate(settings, examples, query); },
      Qt::QueuedConnection);
  return true;
}

bool EngineController::runDepth(const QVector<SweepSettings>& sweeps, const QStringList& runDirs) {
  if (busy_ || !hasModel_ || sweeps.isEmpty() || sweeps.size() != runDirs.size()) return false;
  cancel_ = false;
  setBusy(true);
  QMetaObject::invokeMethod(
      worker_, [worker = worker_, sweeps, runDirs] { worker->runDepth(sweeps, runDirs); },
      Qt::QueuedConnection);
  return true;
}

void EngineController::cancel() {
  cancel_ = true;
}

void EngineController::setBusy(bool busy) {
  if (busy_ == busy) return;
  busy_ = busy;
  Q_EMIT busyChanged(busy);
}

} // namespace poslab
