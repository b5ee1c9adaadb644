#pragma once
// The aggregate view (issue "GUI lab", Pos2Distill Fig. 7): attention mass per
// document for every gold position, averaged over the first N examples of the
// dataset. One forward per (example, position) on the engine's worker thread,
// with progress and cancel; a cancelled run shows the examples done so far.
#include "core/sweep/SweepSettings.h"
#include "widgets/AttentionGrid.h"
#include "widgets/AttentionMassGrid.h"

#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace poslab {

class AttentionMassHeatmap;

class AggregatePanel : public QWidget {
  Q_OBJECT
public:
  explicit AggregatePanel(QWidget* parent = nullptr);

  AttentionMassHeatmap* heatmap() const { return heatmap_; }
  // Where the data and prompt settings come from when Compute is pressed (the sweep view).
  void setSettingsSource(std::function<SweepSettings()> source) { source_ = std::move(source); }
  // The settings of the matrix shown (for the export bundle's manifest).
  const SweepSettings& shownSettings() const { return shown_; }
  int shownExamples() const { return shownExamples_; } // 0 = all
  QuerySelection shownQuery() const { return shownQuery_; }
  bool hasResult() const { return hasResult_; }
  void setExamples(int examples);
  void setModelReady(bool ready);
  void setRunning(bool running);

public Q_SLOTS:
  void requestCompute();
  void showProgress(int done, int total);
  void finished(const poslab::AttentionMassGrid& grid, bool complete);
  void failed(const QString& message);

Q_SIGNALS:
  void computeRequested(const poslab::SweepSettings& settings, int examples, poslab::QuerySelection query);
  void cancelRequested();

private:
  void updateButtons();

  std::function<SweepSettings()> source_;
  QSpinBox* examples_ = nullptr;
  QComboBox* query_ = nullptr;
  QPushButton* compute_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  AttentionMassHeatmap* heatmap_ = nullptr;
  SweepSettings requested_;
  SweepSettings shown_;
  int requestedExamples_ = 0, shownExamples_ = 0;
  QuerySelection requestedQuery_ = QuerySelection::LastToken, shownQuery_ = QuerySelection::LastToken;
  bool hasResult_ = false;
  bool modelReady_ = false;
  bool running_ = false;
};

} // namespace poslab
