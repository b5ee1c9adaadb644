#pragma once
// The Train view: every training/distill job of the workspace (JobMonitor) in
// a table with status, step, elapsed, ETA and device; "New job…" (the launch
// dialog), cancel, resume / start a planned run, extend; and the selected
// job's page (JobPage). It starts processes and reads files, nothing more:
// closing PosLab leaves every job running.
#include "core/jobs/JobSettings.h"
#include "core/jobs/JobSnapshot.h"

#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;
class QTableWidget;

namespace poslab {

class JobLaunchDialog;
class JobMonitor;
class JobPage;

class TrainPanel : public QWidget {
  Q_OBJECT
public:
  explicit TrainPanel(QWidget* parent = nullptr);

  void setWorkspace(const QString& workspace);
  // Where "New job…" takes its defaults: the open model and the Sweep view's data.
  void setDefaultsSource(std::function<QString()> model, std::function<QString()> heldOutData);

  JobMonitor* monitor() const { return monitor_; }
  JobPage* page() const { return page_; }
  QTableWidget* jobTable() const { return table_; }
  QPushButton* newJobButton() const { return newJob_; }
  QPushButton* cancelButton() const { return cancel_; }
  QPushButton* resumeButton() const { return resume_; }
  QPushButton* extendButton() const { return extend_; }

  // The run folder of the selected job ("" none); selects a job by its folder.
  QString selectedRun() const;
  bool selectRun(const QString& runDir);
  // What the dialog's Start/Plan does: the job started or queued in runDir (a
  // new folder when empty); returns the folder, "" with `error` on failure.
  QString launch(const JobSettings& settings, bool planFirst, QString* error = nullptr, QString runDir = {});
  // Opens the launch dialog (non-blocking; accepting it launches).
  JobLaunchDialog* openLaunchDialog();
  // Resume the selected run to `totalSteps` (0: its own total).
  bool resumeSelected(long long totalSteps, QString* error = nullptr);

Q_SIGNALS:
  void openCheckpoint(const QString& folder);
  void message(const QString& text);

private:
  void rebuildTable();
  void updateRow(int row, const JobSnapshot& job);
  void showSelected();
  void updateButtons();
  void extendSelected();

  JobMonitor* monitor_ = nullptr;
  JobPage* page_ = nullptr;
  QTableWidget* table_ = nullptr;
  QPushButton* newJob_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QPushButton* resume_ = nullptr;
  QPushButton* extend_ = nullptr;
  QPushButton* follow_ = nullptr;
  QLabel* summary_ = nullptr;
  std::function<QString()> modelSource_, dataSource_;
};

} // namespace poslab
