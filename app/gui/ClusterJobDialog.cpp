#include "app/gui/ClusterJobDialog.h"

#include "core/jobs/ClusterJobFolder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace poslab {

ClusterJobDialog::ClusterJobDialog(JobSettings job, QWidget* parent) : QDialog(parent), job_(std::move(job)) {
  setWindowTitle(tr("Cluster job"));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("Writes this job as a folder to run on a cluster with data parallelism (c10d): "
                              "copy it there and run its submit.sh. The GUI follows its run/ folder when it "
                              "is on a shared file system or copied back."),
                           this);
  intro->setWordWrap(true);
  layout->addWidget(intro);
  auto* form = new QFormLayout;
  const ClusterJob defaults;
  launcher_ = new QComboBox(this);
  launcher_->addItem(tr("Slurm (sbatch, one task per GPU)"), QStringLiteral("slurm"));
  launcher_->addItem(tr("torchrun (one machine, or one call per node)"), QStringLiteral("torchrun"));
  form->addRow(tr("Launcher"), launcher_);
  nodes_ = new QSpinBox(this);
  nodes_->setRange(1, 4096);
  nodes_->setValue(defaults.nodes);
  form->addRow(tr("Nodes"), nodes_);
  processes_ = new QSpinBox(this);
  processes_->setRange(1, 1024);
  processes_->setValue(defaults.processesPerNode);
  processes_->setToolTip(tr("Processes per node: one per GPU; --batch is split across all of them"));
  form->addRow(tr("Processes per node"), processes_);
  device_ = new QComboBox(this);
  device_->addItem(tr("CUDA (NCCL)"), QStringLiteral("cuda"));
  device_->addItem(tr("CPU (Gloo)"), QStringLiteral("cpu"));
  form->addRow(tr("Device"), device_);
  time_ = new QLineEdit(QString::fromStdString(defaults.timeLimit), this);
  time_->setToolTip(tr("Slurm's --time: 24:00:00, 2-00:00:00, ..."));
  form->addRow(tr("Time limit"), time_);
  partition_ = new QLineEdit(this);
  partition_->setPlaceholderText(tr("the cluster's default"));
  form->addRow(tr("Partition"), partition_);
  copyData_ = new QCheckBox(tr("Copy the training and held-out data into the folder"), this);
  copyData_->setChecked(defaults.copyData);
  form->addRow(QString(), copyData_);
  auto* where = new QHBoxLayout;
  folder_ = new QLineEdit(this);
  folder_->setPlaceholderText(tr("a new, empty folder"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the cluster job"));
    if (!dir.isEmpty()) folder_->setText(dir);
  });
  where->addWidget(folder_, 1);
  where->addWidget(browse);
  form->addRow(tr("Folder"), where);
  layout->addLayout(form);
  auto* model =
      new QLabel(tr("Model on the cluster: %1 (the path the nodes see; set it in the job's Model field)")
                     .arg(QString::fromStdString(job_.model)),
                 this);
  model->setWordWrap(true);
  layout->addWidget(model);
  error_ = new QLabel(this);
  error_->setObjectName(QStringLiteral("clusterJobError"));
  error_->setWordWrap(true);
  error_->setStyleSheet(QStringLiteral("color: #c0392b"));
  layout->addWidget(error_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Write job folder"));
  connect(buttons, &QDialogButtonBox::accepted, this, &ClusterJobDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
}

ClusterJob ClusterJobDialog::cluster() const {
  ClusterJob c;
  c.launcher = launcher_->currentData().toString().toStdString();
  c.nodes = nodes_->value();
  c.processesPerNode = processes_->value();
  c.device = device_->currentData().toString().toStdString();
  c.timeLimit = time_->text().trimmed().toStdString();
  c.partition = partition_->text().trimmed().toStdString();
  c.copyData = copyData_->isChecked();
  return c;
}

QString ClusterJobDialog::templatesFolder() {
  QDir dir(QCoreApplication::applicationDirPath());
  QStringList candidates{dir.filePath(QStringLiteral("../share/poslab/cluster"))};
  do
    candidates << dir.filePath(QStringLiteral("packaging/cluster"));
  while (dir.cdUp());
  for (const QString& c : candidates)
    if (QFileInfo(c + QStringLiteral("/poslab-distill.sbatch")).isFile()) return QDir::cleanPath(c);
  return candidates.front(); // missing: ClusterJobFolder says so, naming it
}

void ClusterJobDialog::accept() {
  if (folder_->text().trimmed().isEmpty()) {
    error_->setText(tr("Choose a folder for the job."));
    return;
  }
  try {
    runDir_ = QString::fromStdString(ClusterJobFolder::write(job_, cluster(), templatesFolder().toStdString(),
                                                             folder_->text().trimmed().toStdString()));
  } catch (const std::exception& e) {
    error_->setText(QString::fromUtf8(e.what()));
    return;
  }
  QDialog::accept();
}

} // namespace poslab
