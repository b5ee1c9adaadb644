#pragma once
// "Cluster job…" in the launch dialog: the job as a self-contained folder for a
// cluster (ClusterJobFolder): launcher (Slurm or torchrun), nodes, processes
// per node, device, time limit, partition, whether the data travel with it, and
// where to write it. OK writes the folder; an error is one line in the dialog,
// which stays open. The GUI then follows the folder's run/.
#include "core/jobs/ClusterJob.h"
#include "core/jobs/JobSettings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace poslab {

class ClusterJobDialog : public QDialog {
  Q_OBJECT
public:
  ClusterJobDialog(JobSettings job, QWidget* parent = nullptr);

  ClusterJob cluster() const;
  QLineEdit* folderField() const { return folder_; }
  // The run folder of the job written (empty until OK succeeded).
  QString runDir() const { return runDir_; }
  // Where the launch scripts are: share/poslab/cluster installed, packaging/cluster in a checkout.
  static QString templatesFolder();

  void accept() override; // writes the folder, or shows why not

private:
  JobSettings job_;
  QString runDir_;
  QComboBox* launcher_ = nullptr;
  QSpinBox* nodes_ = nullptr;
  QSpinBox* processes_ = nullptr;
  QComboBox* device_ = nullptr;
  QLineEdit* time_ = nullptr;
  QLineEdit* partition_ = nullptr;
  QCheckBox* copyData_ = nullptr;
  QLineEdit* folder_ = nullptr;
  QLabel* error_ = nullptr;
};

} // namespace poslab
