#pragma once
// The sweep view (issue "GUI lab"): the sweep's settings, Run / Cancel with
// progress, ETA and throughput, the live accuracy-vs-position plot, and the
// runs kept in the workspace (<workspace>/runs/<run-id>/, DESIGN.md) to overlay
// and export. The sweep itself runs on the engine's worker thread; this panel
// only asks for it (runRequested) and shows what comes back.
#include "core/sweep/SweepSettings.h"
#include "widgets/PairedComparison.h"
#include "widgets/SweepCurve.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace poslab {

class RunComparer;
class SweepPlot;

class SweepPanel : public QWidget {
  Q_OBJECT
public:
  explicit SweepPanel(QWidget* parent = nullptr);

  SweepPlot* plot() const { return plot_; }
  QString dataPath() const;
  void setDataPath(const QString& path);
  // The data part of the settings (path, task, documents, distractors, templates),
  // as the dataset dialog edits it; remembered in the recent datasets.
  void setDataset(const SweepSettings& dataset);
  QStringList recentData() const;
  void setLimit(int examples);
  void setMaxNewTokens(int tokens);
  // Where runs are kept: <workspace>/runs/<run-id>/.
  QString workspace() const { return workspace_; }
  void setWorkspace(const QString& folder);
  // The settings the controls describe (model path filled in by the worker).
  SweepSettings settings() const;
  void setModelReady(bool ready);
  void setRunning(bool running);
  bool isRunning() const { return running_; }
  // The run folders offered for comparison, newest first.
  QStringList runFolders() const;
  RunComparer* comparer() const { return comparer_; }

public Q_SLOTS:
  void requestRun();
  void showCurve(const poslab::SweepCurve& curve);
  void showProgress(int done, int total, double etaSeconds, double tokensPerSecond);
  void finished(const QString& runDir, const QString& status);
  void failed(const QString& message);
  void refreshRuns();
  void exportFigure();
  void openDatasetDialog();
  // Overlays both runs and marks the positions where they differ (McNemar).
  void compareRuns(const QString& dirA, const QString& dirB);

Q_SIGNALS:
  void runRequested(const poslab::SweepSettings& settings, const QString& runDir);
  void cancelRequested();
  void comparisonShown(const poslab::PairedComparison& comparison);

private:
  void runToggled(QListWidgetItem* item);
  void updateButtons();
  void showRun(const QString& dir, bool shown);
  void showComparison(const PairedComparison& comparison);
  void describeDataset();
  // The plot's x axis before any result: the dataset's gold positions.
  void updatePositionCount();

  QLineEdit* data_ = nullptr;
  QLabel* datasetInfo_ = nullptr;
  QSpinBox* docs_ = nullptr;
  QLineEdit* positions_ = nullptr;
  QSpinBox* limit_ = nullptr;
  QSpinBox* maxNew_ = nullptr;
  QCheckBox* closedBook_ = nullptr;
  QCheckBox* oracle_ = nullptr;
  QCheckBox* prefixCache_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* export_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QListWidget* runs_ = nullptr;
  SweepPlot* plot_ = nullptr;
  QComboBox* compareA_ = nullptr;
  QComboBox* compareB_ = nullptr;
  QPushButton* compare_ = nullptr;
  RunComparer* comparer_ = nullptr;
  SweepSettings dataset_; // task, distractors and templates from the dataset dialog
  QString workspace_;
  QString currentRun_;
  bool modelReady_ = false;
  bool running_ = false;
};

} // namespace poslab
