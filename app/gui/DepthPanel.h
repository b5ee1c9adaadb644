#pragma once
// The depth × context-length view (METHOD.md §4.4): the sweep is run once per
// number of documents (e.g. 5, 10, 20) on the engine's worker thread, each into
// its own run folder <workspace>/runs/<study>-k<K>/, and accuracy is drawn over
// gold position × documents. Studies in the workspace reopen from their runs.
#include "core/sweep/SweepSettings.h"

#include <QVector>
#include <QWidget>
#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QShowEvent;
class QPushButton;

namespace poslab {

class DepthHeatmap;

class DepthPanel : public QWidget {
  Q_OBJECT
public:
  explicit DepthPanel(QWidget* parent = nullptr);

  DepthHeatmap* heatmap() const { return heatmap_; }
  void setSettingsSource(std::function<SweepSettings()> source) { source_ = std::move(source); }
  void setWorkspace(const QString& folder);
  void setDocumentCounts(const QString& counts); // "5,10,20"
  // The counts the line edit holds, ascending and distinct; empty when it is malformed.
  QVector<int> documentCounts() const;
  // `base` with K documents per prompt (random distractors stay random) and every position.
  static SweepSettings withDocuments(SweepSettings base, int documents);
  // The study shown and its runs (for the export bundle's manifest).
  QString shownStudy() const { return shown_; }
  QStringList shownRuns() const;
  void setModelReady(bool ready);
  void setRunning(bool running);

public Q_SLOTS:
  void requestRun();
  void refreshStudies();
  void showStudy(const QString& study);
  void showProgress(int index, int count, int done, int total, double etaSeconds);
  void finished(const QStringList& runDirs, const QString& status);
  void failed(const QString& message);

Q_SIGNALS:
  void runRequested(const QVector<poslab::SweepSettings>& sweeps, const QStringList& runDirs);
  void cancelRequested();
  void studyShown(const QString& study);

protected:
  void showEvent(QShowEvent* event) override;

private:
  void updateButtons();
  // Until something is computed or shown, the status line says what is missing or that
  // all is set (it is refreshed when the view is shown: the dataset is chosen elsewhere).
  void showHint();

  std::function<SweepSettings()> source_;
  QString workspace_;
  QLineEdit* counts_ = nullptr;
  QPushButton* run_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QComboBox* studies_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  DepthHeatmap* heatmap_ = nullptr;
  QString running_;
  QString shown_;
  bool modelReady_ = false;
  bool busy_ = false;
};

} // namespace poslab
