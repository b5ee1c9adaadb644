#pragma once
// The GUI's side of training jobs (DESIGN.md "Training runs, jobs and
// processes"): it never trains; it starts `poslab-cli` detached (JobLauncher),
// follows every training/distill run folder under <workspace>/runs by polling
// its files (RunFolderReader), and runs one job per device at a time, the
// rest waiting in <workspace>/jobs/queue.json (JobQueue). All of its state is
// in files, so a restarted GUI shows running jobs live again.
#include "core/jobs/JobSnapshot.h"

#include <QObject>
#include <QString>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

class QTimer;

namespace poslab {

class RunFolderReader;

class JobMonitor : public QObject {
  Q_OBJECT
public:
  static constexpr int kPollMs = 1000;

  explicit JobMonitor(QObject* parent = nullptr);
  ~JobMonitor() override;

  void setWorkspace(const QString& workspace); // reads it at once
  QString workspace() const { return workspace_; }
  QString runsFolder() const;
  QString queuePath() const;
  // <workspace>/jobs/followed.json: run folders followed from elsewhere (FollowedRuns).
  QString followedPath() const;
  // Follows a run folder outside the workspace from now on (a cluster job's run/,
  // which may not exist yet); false with the reason when the list cannot be written.
  bool follow(const QString& runDir, QString* error = nullptr);
  // $POSLAB_CLI, else poslab-cli beside this executable.
  static QString cliProgram();

  // Every job, queued ones first, then runs newest first.
  const std::vector<JobSnapshot>& jobs() const { return jobs_; }
  const JobSnapshot* job(const QString& runDir) const;
  // A fresh run folder name under runs/: distill-r1-20261207-101500.
  QString newRunDir(const QString& method) const;

  // Starts `poslab-cli args` owning runDir now when `device` is free, else
  // queues it. False with `error` when it cannot be started or queued.
  bool launch(const std::vector<std::string>& args, const QString& runDir, const QString& device,
              QString* error = nullptr);
  // A queued job leaves the queue; a running one is asked to checkpoint and stop.
  bool cancel(const QString& runDir, QString* error = nullptr);
  // --resume (to totalSteps when > 0: extend), on its device or queued for it.
  bool resume(const QString& runDir, long long totalSteps, QString* error = nullptr);
  // A device another job of this workspace trains on now.
  bool deviceBusy(const QString& device) const;

public Q_SLOTS:
  void poll(); // reads every run now (the timer does it every kPollMs)

Q_SIGNALS:
  void jobsChanged(); // a job appeared, left or changed status
  void jobUpdated(const QString& runDir);
  void launchFailed(const QString& runDir, const QString& error);

private:
  void startQueued();

  QString workspace_;
  QTimer* timer_ = nullptr;
  std::map<std::string, std::unique_ptr<RunFolderReader>> readers_;
  std::set<std::string> others_; // run folders of other kinds (sweeps), never read again
  std::vector<JobSnapshot> jobs_;
};

} // namespace poslab
