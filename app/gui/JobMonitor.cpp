#include "app/gui/JobMonitor.h"

#include "core/jobs/FollowedRuns.h"
#include "core/jobs/JobLauncher.h"
#include "core/jobs/JobQueue.h"
#include "core/jobs/JobSettings.h"
#include "core/jobs/RunFolderReader.h"
#include "core/util/Error.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <optional>
#include <set>

namespace poslab {

JobMonitor::JobMonitor(QObject* parent) : QObject(parent) {
  timer_ = new QTimer(this);
  timer_->setInterval(kPollMs);
  connect(timer_, &QTimer::timeout, this, &JobMonitor::poll);
  timer_->start();
}

JobMonitor::~JobMonitor() = default;

void JobMonitor::setWorkspace(const QString& workspace) {
  if (workspace == workspace_) return;
  workspace_ = workspace;
  readers_.clear();
  others_.clear();
  jobs_.clear();
  poll();
}

QString JobMonitor::runsFolder() const {
  return QDir(workspace_).filePath(QStringLiteral("runs"));
}
QString JobMonitor::queuePath() const {
  return QDir(workspace_).filePath(QStringLiteral("jobs/queue.json"));
}
QString JobMonitor::followedPath() const {
  return QDir(workspace_).filePath(QStringLiteral("jobs/followed.json"));
}

bool JobMonitor::follow(const QString& runDir, QString* error) {
  try {
    FollowedRuns(followedPath().toStdString()).add(runDir.toStdString());
  } catch (const std::exception& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  poll();
  return true;
}

QString JobMonitor::cliProgram() {
  const QString fromEnv = qEnvironmentVariable("POSLAB_CLI");
  if (!fromEnv.isEmpty()) return fromEnv;
  return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("poslab-cli"));
}

const JobSnapshot* JobMonitor::job(const QString& runDir) const {
  const std::string dir = runDir.toStdString();
  auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const JobSnapshot& s) { return s.runDir == dir; });
  return it == jobs_.end() ? nullptr : &*it;
}

QString JobMonitor::newRunDir(const QString& method) const {
  const QString stem =
      QStringLiteral("distill-%1-%2")
          .arg(method, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  QString dir = QDir(runsFolder()).filePath(stem);
  for (int i = 2; QFileInfo::exists(dir) || job(dir); ++i)
    dir = QDir(runsFolder()).filePath(stem + "-" + QString::number(i));
  return dir;
}

bool JobMonitor::deviceBusy(const QString& device) const {
  const std::string d = device.toStdString();
  return std::any_of(jobs_.begin(), jobs_.end(),
                     [&](const JobSnapshot& s) { return JobStatusName::active(s.status) && s.device == d; });
}

bool JobMonitor::launch(const std::vector<std::string>& args, const QString& runDir, const QString& device,
                        QString* error) {
  try {
    JobQueue queue(queuePath().toStdString());
    // Queued behind others of its device too: first come, first served.
    bool waiting = false;
    for (const QueuedJob& q : queue.jobs())
      waiting = waiting || q.device == device.toStdString();
    if (deviceBusy(device) || waiting) {
      queue.push({runDir.toStdString(), device.toStdString(), args, ""});
    } else {
      JobLauncher::start(cliProgram().toStdString(), args, runDir.toStdString(), device.toStdString());
    }
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  poll();
  return true;
}

bool JobMonitor::cancel(const QString& runDir, QString* error) {
  try {
    if (JobQueue(queuePath().toStdString()).remove(runDir.toStdString())) {
      poll();
      return true;
    }
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  if (!JobLauncher::cancel(runDir.toStdString())) {
    if (error) *error = tr("no process owns %1 now").arg(QDir::toNativeSeparators(runDir));
    return false;
  }
  return true;
}

bool JobMonitor::resume(const QString& runDir, long long totalSteps, QString* error) {
  const JobSnapshot* s = job(runDir);
  if (!s) {
    if (error)
      *error = tr("%1 is not a training run of this workspace").arg(QDir::toNativeSeparators(runDir));
    return false;
  }
  if (!JobStatusName::resumable(s->status)) {
    if (error)
      *error = tr("the run is %1, not stopped").arg(QString::fromStdString(JobStatusName::of(s->status)));
    return false;
  }
  const QString device = s->device.empty() ? QStringLiteral("cpu") : QString::fromStdString(s->device);
  std::vector<std::string> args =
      JobSettings::resumeArguments(runDir.toStdString(), device.toStdString(), 0, totalSteps);
  if (s->kind == "train") args[0] = "train";
  return launch(args, runDir, device, error);
}

void JobMonitor::poll() {
  if (workspace_.isEmpty()) return;
  bool listChanged = false;
  std::set<std::string> listed, present;
  // The workspace's runs, and the folders followed from elsewhere (cluster jobs).
  std::vector<std::string> dirs;
  const QDir runs(runsFolder());
  for (const QString& name : runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
    dirs.push_back(runs.filePath(name).toStdString());
  std::optional<std::string> followedError;
  try {
    for (const std::string& dir : FollowedRuns(followedPath().toStdString()).read())
      if (QFileInfo(QString::fromStdString(dir)).isDir()) dirs.push_back(dir);
  } catch (const Error& e) {
    followedError = e.what();
  }
  for (const std::string& dir : dirs) {
    listed.insert(dir);
    auto it = readers_.find(dir);
    if (it == readers_.end()) {
      if (others_.count(dir)) continue;
      if (!RunFolderReader::isTrainingRun(dir)) {
        // A sweep's (or a study's) folder: its run.json says so for good, so it is
        // not read again every poll. A folder without one may still become a job.
        if (QFileInfo::exists(QString::fromStdString(dir + "/run.json"))) others_.insert(dir);
        continue;
      }
      it = readers_.emplace(dir, std::make_unique<RunFolderReader>(dir)).first;
      listChanged = true;
    }
    present.insert(dir);
  }
  std::erase_if(others_, [&](const std::string& dir) { return !listed.count(dir); });
  for (auto it = readers_.begin(); it != readers_.end();) { // deleted by the user
    if (present.count(it->first)) {
      ++it;
    } else {
      it = readers_.erase(it);
      listChanged = true;
    }
  }
  std::vector<JobSnapshot> next;
  std::vector<QString> updated;
  std::map<std::string, std::string> queuedResumes; // run -> device
  try {
    for (const QueuedJob& q : JobQueue(queuePath().toStdString()).jobs()) {
      if (readers_.count(q.run)) { // a resume waiting: the run's own row says so below
        queuedResumes[q.run] = q.device;
        continue;
      }
      JobSnapshot s;
      s.runDir = q.run;
      s.id = QFileInfo(QString::fromStdString(q.run)).fileName().toStdString();
      s.kind = q.args.empty() ? "" : q.args[0];
      s.device = q.device;
      s.status = JobStatus::Queued;
      s.statusDetail = "waiting for " + q.device + " (queued " + q.queued + ")";
      for (size_t i = 0; i + 1 < q.args.size(); ++i)
        if (q.args[i] == "--method") s.method = q.args[i + 1];
      next.push_back(std::move(s));
    }
  } catch (const Error& e) {
    // A damaged queue file is shown, not thrown away: nothing already saved is lost.
    JobSnapshot s;
    s.id = "queue";
    s.status = JobStatus::Failed;
    s.statusDetail = e.what();
    next.push_back(std::move(s));
  }
  if (followedError) { // the same for the followed list: shown, kept, not rewritten
    JobSnapshot s;
    s.id = "followed";
    s.status = JobStatus::Failed;
    s.statusDetail = *followedError;
    next.push_back(std::move(s));
  }
  std::vector<JobSnapshot> runsNow;
  for (auto& [dir, reader] : readers_) {
    const JobStatus before = reader->snapshot().status;
    if (reader->refresh()) updated.push_back(QString::fromStdString(dir));
    if (reader->snapshot().status != before) listChanged = true;
    runsNow.push_back(reader->snapshot());
    if (auto q = queuedResumes.find(dir);
        q != queuedResumes.end() && !JobStatusName::active(runsNow.back().status)) {
      runsNow.back().status = JobStatus::Queued;
      runsNow.back().statusDetail = "resume waiting for " + q->second;
    }
  }
  std::sort(runsNow.begin(), runsNow.end(), [](const JobSnapshot& a, const JobSnapshot& b) {
    return a.startedUnix != b.startedUnix ? a.startedUnix > b.startedUnix : a.id > b.id;
  });
  next.insert(next.end(), runsNow.begin(), runsNow.end());
  if (next.size() != jobs_.size()) listChanged = true;
  for (size_t i = 0; !listChanged && i < next.size(); ++i)
    listChanged = next[i].runDir != jobs_[i].runDir || next[i].status != jobs_[i].status;
  jobs_ = std::move(next);
  startQueued();
  if (listChanged) Q_EMIT jobsChanged();
  for (const QString& dir : updated)
    Q_EMIT jobUpdated(dir);
}

void JobMonitor::startQueued() {
  JobQueue queue(queuePath().toStdString());
  std::vector<QueuedJob> waiting;
  try {
    waiting = queue.jobs();
  } catch (const Error&) {
    return; // shown in the list by poll()
  }
  std::set<std::string> devices;
  for (const QueuedJob& q : waiting)
    devices.insert(q.device);
  for (const std::string& device : devices) {
    if (deviceBusy(QString::fromStdString(device))) continue;
    QueuedJob q;
    try {
      if (!queue.take(device, q)) continue;
      JobLauncher::start(cliProgram().toStdString(), q.args, q.run, q.device);
      // Busy from now on, before the next poll reads its launch.json.
      auto it =
          std::find_if(jobs_.begin(), jobs_.end(), [&](const JobSnapshot& s) { return s.runDir == q.run; });
      if (it != jobs_.end()) it->status = JobStatus::Starting;
    } catch (const std::exception& e) {
      Q_EMIT launchFailed(QString::fromStdString(q.run), QString::fromStdString(e.what()));
    }
  }
}

} // namespace poslab
