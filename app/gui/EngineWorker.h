#pragma once
// The half of EngineController that lives on the worker thread: it owns the
// Engine and runs the blocking core calls (inspect, open, generate). Every
// exception stops here and leaves as a failure signal with a readable message.
#include "core/sweep/SweepSettings.h"
#include "widgets/GenerationStats.h"
#include "widgets/SweepCurve.h"
#include "widgets/ModelSummary.h"

#include <QObject>
#include <atomic>
#include <memory>

namespace poslab {

class Engine;
struct LoadOptions;

class EngineWorker : public QObject {
  Q_OBJECT
public:
  // cancel: set from the GUI thread; checked between generated tokens.
  explicit EngineWorker(const std::atomic<bool>* cancel);
  ~EngineWorker() override;

  // Both run on the worker thread; EngineController queues them there.
  // Inspects first (a bad file fails before the loaded model is dropped), then
  // frees the previous model and loads the new one.
  void load(const QString& path, const poslab::LoadOptions& options);
  void generate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  // A position sweep of the loaded model into runDir (resumes what is there).
  void runSweep(const poslab::SweepSettings& settings, const QString& runDir);

Q_SIGNALS:
  void inspected(const poslab::ModelSummary& estimate);
  void cudaAvailable(bool available);
  void unloaded();
  void loaded(const poslab::ModelSummary& summary);
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

private:
  void probeCuda(const std::string& path);

  const std::atomic<bool>* cancel_;
  std::unique_ptr<Engine> engine_;
  bool cudaProbed_ = false;
};

} // namespace poslab
