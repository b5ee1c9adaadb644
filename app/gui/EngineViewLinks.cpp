#include "app/gui/EngineViewLinks.h"

#include "app/gui/AggregatePanel.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/EngineController.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/SweepPanel.h"
#include "widgets/GenerationView.h"

#include <QFileInfo>
#include <algorithm>

namespace poslab {

EngineViewLinks::EngineViewLinks(EngineController* engine, const Views& views, QObject* parent)
    : QObject(parent), engine_(engine), views_(views) {
  connect(engine_, &EngineController::modelUnloaded, this, &EngineViewLinks::modelUnloaded);
  linkGeneration();
  linkSweep();
  linkExplorer();
  linkAggregate();
  linkDepth();
  views_.generation->setModelReady(false); // no model yet
}

void EngineViewLinks::modelLoaded(const ModelSummary& summary) {
  GenerationView* generation = views_.generation;
  generation->setTokenLimit(
      static_cast<int>(std::min<qint64>(summary.contextLength > 0 ? summary.contextLength : 4096, 1 << 20)));
  generation->setModelReady(true);
  views_.sweep->setModelReady(true);
  views_.aggregate->setModelReady(true);
  views_.aggregate->setModel(summary.path, summary.device, summary.computeDtype);
  views_.depth->setModelReady(true);
  views_.explorer->clearCache();
}

void EngineViewLinks::modelUnloaded() {
  views_.generation->setModelReady(false);
  views_.sweep->setModelReady(false);
  views_.aggregate->setModelReady(false);
  views_.aggregate->setModel({}, {}, {});
  views_.depth->setModelReady(false);
}

void EngineViewLinks::linkGeneration() {
  GenerationView* view = views_.generation;
  connect(engine_, &EngineController::generationStarted, view, &GenerationView::started);
  connect(engine_, &EngineController::token, view, &GenerationView::appendText);
  connect(engine_, &EngineController::generationFinished, this, [this](const GenerationStats& stats) {
    views_.generation->finished(stats);
    Q_EMIT generationDone();
  });
  connect(engine_, &EngineController::generationFailed, this, [this](const QString& why) {
    views_.generation->failed(why);
    Q_EMIT message(tr("Generation failed: %1").arg(why));
    Q_EMIT generationDone();
  });
  connect(view, &GenerationView::generateRequested, this,
          [this](const QString& prompt, int maxNewTokens, bool stopAtEndOfText) {
            if (!engine_->generate(prompt, maxNewTokens, stopAtEndOfText))
              Q_EMIT message(tr("The engine is busy."));
          });
  connect(view, &GenerationView::cancelRequested, engine_, &EngineController::cancel);
}

void EngineViewLinks::linkSweep() {
  SweepPanel* sweep = views_.sweep;
  connect(sweep, &SweepPanel::runRequested, this,
          [this](const SweepSettings& settings, const QString& runDir) {
            if (!engine_->runSweep(settings, runDir))
              views_.sweep->failed(tr("the engine is busy or no model is loaded"));
          });
  connect(sweep, &SweepPanel::cancelRequested, engine_, &EngineController::cancel);
  connect(engine_, &EngineController::sweepStarted, sweep, [sweep] { sweep->setRunning(true); });
  // Only the Sweep view's own run draws live there; a depth study's sweeps are
  // listed as runs when it ends and can be overlaid from the list.
  connect(engine_, &EngineController::sweepCurve, sweep, [sweep](const SweepCurve& curve) {
    if (sweep->isRunning()) sweep->showCurve(curve);
  });
  connect(engine_, &EngineController::sweepProgress, sweep, &SweepPanel::showProgress);
  connect(engine_, &EngineController::sweepFinished, this,
          [this](const QString& runDir, const QString& status) {
            views_.sweep->setRunning(false);
            views_.sweep->finished(runDir, status);
            Q_EMIT message(tr("Sweep %1: %2").arg(status, QFileInfo(runDir).fileName()));
            Q_EMIT sweepDone(runDir, status);
          });
  connect(engine_, &EngineController::sweepFailed, this, [this](const QString& why) {
    views_.sweep->setRunning(false);
    views_.sweep->failed(why);
    Q_EMIT message(tr("Sweep failed: %1").arg(why));
    Q_EMIT sweepDone(QString(), "failed");
  });
}

void EngineViewLinks::linkExplorer() {
  ExplorerPanel* explorer = views_.explorer;
  connect(explorer, &ExplorerPanel::placementRequested, engine_, &EngineController::explore);
  connect(engine_, &EngineController::positionCount, explorer, &ExplorerPanel::onPositionCount);
  connect(engine_, &EngineController::placement, explorer, &ExplorerPanel::onPlacement);
  connect(engine_, &EngineController::exploreFailed, explorer, &ExplorerPanel::onFailed);
  connect(explorer, &ExplorerPanel::tokenMapRequested, engine_, &EngineController::tokenMap);
  connect(engine_, &EngineController::tokenMapReady, explorer, &ExplorerPanel::onTokenMap);
}

void EngineViewLinks::linkAggregate() {
  AggregatePanel* aggregate = views_.aggregate;
  connect(aggregate, &AggregatePanel::computeRequested, this,
          [this](const SweepSettings& settings, int examples, QuerySelection query) {
            if (!engine_->aggregate(settings, examples, query))
              return views_.aggregate->failed(tr("the engine is busy or no model is loaded"));
            views_.aggregate->setRunning(true);
          });
  connect(aggregate, &AggregatePanel::cancelRequested, engine_, &EngineController::cancel);
  connect(engine_, &EngineController::aggregateProgress, aggregate, &AggregatePanel::showProgress);
  connect(engine_, &EngineController::aggregateFinished, aggregate,
          [aggregate](const AttentionMassGrid& grid, bool complete) {
            aggregate->setRunning(false);
            aggregate->finished(grid, complete); // shown now, kept when stored() says so
          });
  // Done once the result is in the workspace, so whoever waits for it can reopen it.
  connect(aggregate, &AggregatePanel::stored, this,
          [this](const QString& id, bool complete, const QString& error) {
            Q_EMIT message(id.isEmpty() ? tr("Aggregate not kept: %1").arg(error)
                                        : tr("Aggregate kept as %1.").arg(id));
            Q_EMIT aggregateDone(complete);
          });
  connect(engine_, &EngineController::aggregateFailed, this, [this](const QString& why) {
    views_.aggregate->setRunning(false);
    views_.aggregate->failed(why);
    Q_EMIT aggregateDone(false);
  });
}

void EngineViewLinks::linkDepth() {
  DepthPanel* depth = views_.depth;
  connect(depth, &DepthPanel::runRequested, this,
          [this](const QVector<SweepSettings>& sweeps, const QStringList& dirs) {
            if (!engine_->runDepth(sweeps, dirs))
              return views_.depth->failed(tr("the engine is busy or no model is loaded"));
            views_.depth->setRunning(true);
          });
  connect(depth, &DepthPanel::cancelRequested, engine_, &EngineController::cancel);
  connect(engine_, &EngineController::depthProgress, depth, &DepthPanel::showProgress);
  connect(engine_, &EngineController::depthFinished, this,
          [this](const QStringList& dirs, const QString& status) {
            views_.depth->setRunning(false);
            views_.depth->finished(dirs, status);
            views_.sweep->refreshRuns();
            Q_EMIT depthDone(status);
          });
  connect(engine_, &EngineController::depthFailed, this, [this](const QString& why) {
    views_.depth->setRunning(false);
    views_.depth->failed(why);
    views_.sweep->refreshRuns();
    Q_EMIT depthDone("failed");
  });
}

} // namespace poslab
