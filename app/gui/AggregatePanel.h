#pragma once
// The aggregate view (issue "GUI lab", Pos2Distill Fig. 7): attention mass per
// document for every gold position, averaged over the first N examples of the
// dataset. One forward per (example, position) on the engine's worker thread,
// with progress and cancel; a cancelled run shows the examples done so far.
// Every result, complete or cancelled, is kept in the workspace
// (AggregateStore, with fingerprints computed on the pool) and the kept ones
// are listed newest first, so they reopen after a restart.
#include "app/gui/SavedAggregate.h"
#include "core/sweep/SweepSettings.h"
#include "widgets/AttentionGrid.h"
#include "widgets/AttentionMassGrid.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QList>
#include <QWidget>
#include <functional>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QProgressBar;
class QShowEvent;
class QPushButton;
class QSpinBox;

namespace poslab {

class AttentionMassHeatmap;
class FingerprintCache;

class AggregatePanel : public QWidget {
  Q_OBJECT
public:
  explicit AggregatePanel(QWidget* parent = nullptr);
  // Waits for a save in progress, so that the next start lists it.
  ~AggregatePanel() override;

  AttentionMassHeatmap* heatmap() const { return heatmap_; }
  // Where the data and prompt settings come from when Compute is pressed (the sweep view).
  void setSettingsSource(std::function<SweepSettings()> source) { source_ = std::move(source); }
  void setWorkspace(const QString& folder);
  // Shared with the export bundle, so a model or dataset is hashed once.
  void setFingerprints(std::shared_ptr<FingerprintCache> cache) { fingerprints_ = std::move(cache); }
  // The model in memory ("" when none), recorded with each result.
  void setModel(const QString& path, const QString& device, const QString& dtype);
  // The aggregate shown with where it came from (for the export bundle's
  // manifest); its id is empty until it is kept in the workspace.
  const SavedAggregate* shown() const { return shown_ ? &*shown_ : nullptr; }
  bool hasResult() const { return shown_.has_value(); }
  void setExamples(int examples);
  void setModelReady(bool ready);
  void setRunning(bool running);
  QString statusText() const;

public Q_SLOTS:
  void requestCompute();
  void showProgress(int done, int total);
  // Shows the result and keeps it in the workspace (stored() when written).
  void finished(const poslab::AttentionMassGrid& grid, bool complete);
  void failed(const QString& message);
  void refreshSaved();
  // False (and a one-line message naming the file and the field) if it cannot be read.
  bool showSaved(const QString& id);

Q_SIGNALS:
  void computeRequested(const poslab::SweepSettings& settings, int examples, poslab::QuerySelection query);
  void cancelRequested();
  // A finished result was written as <workspace>/aggregates/<id>/ (id "" and
  // `error` set when it could not be).
  void stored(const QString& id, bool complete, const QString& error);

protected:
  void showEvent(QShowEvent* event) override;

private:
  struct Saving {
    SavedAggregate aggregate;
    QString error;
  };
  void updateButtons();
  // Until something is computed or shown, the status line says what is missing or that
  // all is set (it is refreshed when the view is shown: the dataset is chosen elsewhere).
  void showHint();
  void kept(const Saving& saving);
  void showDescription(const SavedAggregate& aggregate);

  std::function<SweepSettings()> source_;
  std::shared_ptr<FingerprintCache> fingerprints_;
  QString workspace_;
  QString modelPath_, device_, dtype_;
  QSpinBox* examples_ = nullptr;
  QComboBox* query_ = nullptr;
  QPushButton* compute_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QComboBox* saved_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  AttentionMassHeatmap* heatmap_ = nullptr;
  SweepSettings requested_;
  int requestedExamples_ = 0;
  QuerySelection requestedQuery_ = QuerySelection::LastToken;
  QDateTime requestedAt_;
  std::optional<SavedAggregate> shown_;
  QList<QFutureWatcher<Saving>*> saving_; // saves in flight, waited for on destruction
  bool modelReady_ = false;
  bool running_ = false;
  QElapsedTimer clock_; // since Compute, for the ETA
};

} // namespace poslab
