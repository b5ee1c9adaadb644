#pragma once
// The lab views' side of the engine: what the Sweep, Explore, Aggregate, Depth
// and Generate views ask for goes to the EngineController, and its results,
// progress and failures come back to the view that asked. It also tells the
// views when a model is loaded or gone, and says in its signals when a piece
// of work ended (the main window passes them on to scripts and tests).
#include "widgets/GenerationStats.h"
#include "widgets/ModelSummary.h"

#include <QObject>
#include <QString>

namespace poslab {

class AggregatePanel;
class DepthPanel;
class EngineController;
class ExplorerPanel;
class GenerationView;
class SweepPanel;

class EngineViewLinks : public QObject {
  Q_OBJECT
public:
  struct Views {
    GenerationView* generation = nullptr;
    SweepPanel* sweep = nullptr;
    ExplorerPanel* explorer = nullptr;
    AggregatePanel* aggregate = nullptr;
    DepthPanel* depth = nullptr;
  };
  EngineViewLinks(EngineController* engine, const Views& views, QObject* parent = nullptr);

  // A model is ready: the views may run (the explorer's cached placements were the last model's).
  void modelLoaded(const poslab::ModelSummary& summary);

Q_SIGNALS:
  void generationDone();
  void sweepDone(const QString& runDir, const QString& status);
  void aggregateDone(bool complete);
  void depthDone(const QString& status);
  void message(const QString& text); // for the status bar

private:
  void linkGeneration();
  void linkSweep();
  void linkExplorer();
  void linkAggregate();
  void linkDepth();
  void modelUnloaded();

  EngineController* engine_ = nullptr;
  Views views_;
};

} // namespace poslab
