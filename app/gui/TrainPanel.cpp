#include "app/gui/TrainPanel.h"

#include "app/gui/JobLaunchDialog.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/JobPage.h"
#include "app/gui/ProgressText.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace poslab {

namespace {

enum JobColumn { Run, Method, Status, Step, Elapsed, Eta, Device, Model, ColumnCount };

} // namespace

TrainPanel::TrainPanel(QWidget* parent) : QWidget(parent) {
  monitor_ = new JobMonitor(this);
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  newJob_ = new QPushButton(tr("New job…"), this);
  newJob_->setToolTip(tr("Pos2Distill (R1, R2) or a baseline on the open model, as a process of its own"));
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(tr("Checkpoint, then stop (a queued job leaves the queue)"));
  resume_ = new QPushButton(tr("Resume"), this);
  resume_->setToolTip(tr("Continue from the last checkpoint, exactly (--resume)"));
  extend_ = new QPushButton(tr("Extend…"), this);
  extend_->setToolTip(tr("Resume with more steps"));
  follow_ = new QPushButton(tr("Follow run folder…"), this);
  follow_->setToolTip(
      tr("Show a run from elsewhere beside this workspace's: a cluster job's run/ on a shared "
         "file system, or one copied back"));
  for (QPushButton* b : {newJob_, cancel_, resume_, extend_, follow_})
    bar->addWidget(b);
  summary_ = new QLabel(this);
  bar->addWidget(summary_, 1);
  layout->addLayout(bar);

  auto* split = new QSplitter(Qt::Vertical, this);
  table_ = new QTableWidget(0, ColumnCount, split);
  table_->setObjectName("jobTable");
  table_->setHorizontalHeaderLabels({tr("Run"), tr("Method"), tr("Status"), tr("Step"), tr("Elapsed"),
                                     tr("ETA"), tr("Device"), tr("Model")});
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->verticalHeader()->hide();
  table_->setCornerButtonEnabled(false);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setMinimumHeight(90);
  page_ = new JobPage(split);
  split->addWidget(table_);
  split->addWidget(page_);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 4);
  layout->addWidget(split, 1);

  connect(newJob_, &QPushButton::clicked, this, &TrainPanel::openLaunchDialog);
  connect(cancel_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!monitor_->cancel(selectedRun(), &error))
      Q_EMIT message(tr("Cancel: %1").arg(error));
    else
      Q_EMIT message(tr("Asked %1 to checkpoint and stop.").arg(QDir(selectedRun()).dirName()));
  });
  connect(resume_, &QPushButton::clicked, this, [this] {
    QString error;
    if (!resumeSelected(0, &error)) Q_EMIT message(tr("Resume: %1").arg(error));
  });
  connect(extend_, &QPushButton::clicked, this, &TrainPanel::extendSelected);
  connect(follow_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Follow a run folder"));
    if (dir.isEmpty()) return;
    QString error;
    if (!monitor_->follow(dir, &error)) Q_EMIT message(tr("Follow: %1").arg(error));
  });
  connect(table_, &QTableWidget::itemSelectionChanged, this, &TrainPanel::showSelected);
  connect(monitor_, &JobMonitor::jobsChanged, this, &TrainPanel::rebuildTable);
  connect(monitor_, &JobMonitor::jobUpdated, this, [this](const QString& dir) {
    for (int r = 0; r < table_->rowCount(); ++r)
      if (table_->item(r, Run)->data(Qt::UserRole).toString() == dir)
        if (const JobSnapshot* j = monitor_->job(dir)) updateRow(r, *j);
    if (dir == selectedRun()) showSelected();
  });
  connect(monitor_, &JobMonitor::launchFailed, this, [this](const QString& dir, const QString& error) {
    Q_EMIT message(tr("%1 could not start: %2").arg(QDir(dir).dirName(), error));
  });
  connect(page_, &JobPage::openCheckpoint, this, &TrainPanel::openCheckpoint);
  connect(page_, &JobPage::message, this, &TrainPanel::message);
  updateButtons();
}

void TrainPanel::setWorkspace(const QString& workspace) {
  monitor_->setWorkspace(workspace);
  rebuildTable();
}

void TrainPanel::setDefaultsSource(std::function<QString()> model, std::function<QString()> heldOutData) {
  modelSource_ = std::move(model);
  dataSource_ = std::move(heldOutData);
}

QString TrainPanel::selectedRun() const {
  const auto rows = table_->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : table_->item(rows.first().row(), Run)->data(Qt::UserRole).toString();
}

bool TrainPanel::selectRun(const QString& runDir) {
  for (int r = 0; r < table_->rowCount(); ++r)
    if (table_->item(r, Run)->data(Qt::UserRole).toString() == runDir) {
      table_->selectRow(r);
      return true;
    }
  return false;
}

void TrainPanel::rebuildTable() {
  const QString keep = selectedRun();
  const auto& jobs = monitor_->jobs();
  {
    const QSignalBlocker block(table_);
    table_->setRowCount(static_cast<int>(jobs.size()));
    for (int r = 0; r < static_cast<int>(jobs.size()); ++r)
      updateRow(r, jobs[static_cast<size_t>(r)]);
    table_->resizeColumnsToContents();
  }
  if (!keep.isEmpty() && selectRun(keep)) return;
  if (table_->rowCount() > 0 && keep.isEmpty()) table_->selectRow(0);
  showSelected();
}

void TrainPanel::updateRow(int row, const JobSnapshot& j) {
  const QString steps = j.totalSteps > 0 ? QStringLiteral("%1 / %2").arg(j.step).arg(j.totalSteps)
                                         : (j.step > 0 ? QString::number(j.step) : QStringLiteral("–"));
  const QStringList cells{QString::fromStdString(j.id),
                          QString::fromStdString(j.method).toUpper(),
                          QString::fromStdString(JobStatusName::of(j.status)),
                          steps,
                          j.elapsedS > 0 ? ProgressText::clock(j.elapsedS) : QStringLiteral("–"),
                          j.etaS > 0 ? ProgressText::clock(j.etaS) : QStringLiteral("–"),
                          QString::fromStdString(j.device),
                          QDir::toNativeSeparators(QString::fromStdString(j.model))};
  for (int c = 0; c < ColumnCount; ++c) {
    auto* item = table_->item(row, c);
    if (!item) {
      item = new QTableWidgetItem;
      table_->setItem(row, c, item);
    }
    item->setText(cells[c]);
    if (c == Run) item->setData(Qt::UserRole, QString::fromStdString(j.runDir));
    if (c == Status && !j.statusDetail.empty()) item->setToolTip(QString::fromStdString(j.statusDetail));
  }
}

void TrainPanel::showSelected() {
  const QString dir = selectedRun();
  const JobSnapshot* j = dir.isEmpty() ? nullptr : monitor_->job(dir);
  page_->setSnapshot(j ? *j : JobSnapshot());
  int active = 0, queued = 0;
  for (const JobSnapshot& s : monitor_->jobs()) {
    active += JobStatusName::active(s.status);
    queued += s.status == JobStatus::Queued;
  }
  summary_->setText(tr("%n job(s)", "", static_cast<int>(monitor_->jobs().size())) + " · " +
                    tr("%1 running, %2 queued").arg(active).arg(queued));
  updateButtons();
}

void TrainPanel::updateButtons() {
  const JobSnapshot* j = selectedRun().isEmpty() ? nullptr : monitor_->job(selectedRun());
  cancel_->setEnabled(j && (JobStatusName::active(j->status) || j->status == JobStatus::Queued));
  const bool resumable = j && JobStatusName::resumable(j->status) && !j->kind.empty();
  resume_->setEnabled(resumable && j->status != JobStatus::Finished);
  resume_->setText(j && (j->status == JobStatus::Planned || j->status == JobStatus::Prepared)
                       ? tr("Start training")
                       : tr("Resume"));
  extend_->setEnabled(resumable);
}

QString TrainPanel::launch(const JobSettings& settings, bool planFirst, QString* error, QString runDir) {
  if (runDir.isEmpty()) runDir = monitor_->newRunDir(QString::fromStdString(settings.method));
  std::vector<std::string> args = settings.arguments(runDir.toStdString());
  if (planFirst) args.push_back("--plan");
  if (!monitor_->launch(args, runDir, QString::fromStdString(settings.device), error)) return {};
  selectRun(runDir);
  return runDir;
}

JobLaunchDialog* TrainPanel::openLaunchDialog() {
  const QString model = modelSource_ ? modelSource_() : QString();
  const QString heldOut = dataSource_ ? dataSource_() : QString();
  // The folder the command shows is the one the job gets ("%1": the method chosen).
  const QString runDirPattern = monitor_->newRunDir(QStringLiteral("%1"));
  auto* dialog = new JobLaunchDialog(JobLaunchDialog::defaultsFor(model, heldOut), JobMonitor::cliProgram(),
                                     runDirPattern, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    QString error;
    if (const QString cluster = dialog->clusterRunDir(); !cluster.isEmpty()) {
      if (!monitor_->follow(cluster, &error))
        Q_EMIT message(tr("Wrote the cluster job, but cannot follow its run: %1").arg(error));
      else
        Q_EMIT message(
            tr("Wrote the cluster job in %1: run its submit.sh on the cluster; %2 is followed here.")
                .arg(QDir::toNativeSeparators(QFileInfo(cluster).path()), QDir::toNativeSeparators(cluster)));
      return;
    }
    const QString run = launch(dialog->settings(), dialog->planFirst(), &error, dialog->runDir());
    if (run.isEmpty())
      Q_EMIT message(tr("The job could not start: %1").arg(error));
    else
      Q_EMIT message(tr("Started %1.").arg(QDir(run).dirName()));
  });
  dialog->open();
  return dialog;
}

bool TrainPanel::resumeSelected(long long totalSteps, QString* error) {
  return monitor_->resume(selectedRun(), totalSteps, error);
}

void TrainPanel::extendSelected() {
  const JobSnapshot* j = monitor_->job(selectedRun());
  if (!j) return;
  bool ok = false;
  const int total = QInputDialog::getInt(
      this, tr("Extend"), tr("Train to step (now %1 of %2):").arg(j->step).arg(j->totalSteps),
      static_cast<int>(j->totalSteps + std::max<long long>(100, j->totalSteps / 2)),
      static_cast<int>(j->step + 1), 100000000, 1, &ok);
  if (!ok) return;
  QString error;
  if (!resumeSelected(total, &error)) Q_EMIT message(tr("Extend: %1").arg(error));
}

} // namespace poslab
