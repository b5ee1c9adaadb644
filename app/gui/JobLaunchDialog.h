#pragma once
// "New job…": a Pos2Distill (or baseline) run described the way the command
// line describes it (JobSettings): a preset, the model and data, and only the
// options changed from the preset, each field empty meaning "the preset's".
// The exact `poslab-cli` command is shown as it is edited and can be copied;
// settings save to and load from a JSON file. "Plan" starts the run with
// --plan (prepare the set, report the memory plan, stop), "Start" trains.
#include "core/jobs/JobSettings.h"

#include <QDialog>
#include <map>

class QComboBox;
class QLineEdit;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace poslab {

class JobLaunchDialog : public QDialog {
  Q_OBJECT
public:
  // runDirPattern: where the job will write, "%1" standing for the method
  // (".../runs/distill-%1-20261207-101500"); the command shows the folder.
  JobLaunchDialog(const JobSettings& initial, const QString& program, const QString& runDir,
                  QWidget* parent = nullptr);

  JobSettings settings() const;
  void setSettings(const JobSettings& s);
  bool planFirst() const { return plan_; }
  // The command the job runs, as shown (one shell line), and its run folder.
  QString command() const;
  QString runDir() const;
  QLineEdit* optionField(const QString& option) const;
  QComboBox* presetBox() const { return preset_; }
  QComboBox* methodBox() const { return method_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* planButton() const { return planButton_; }
  QPushButton* clusterButton() const { return clusterButton_; }
  // After "Cluster job…" wrote a job folder: its run/ (the dialog was accepted
  // without starting anything); empty otherwise.
  QString clusterRunDir() const { return clusterRunDir_; }

  // Defaults for a model: the demo preset and the demo's train/held-out files
  // when `model` is the bundled demo (a new demo job changes no option).
  static JobSettings defaultsFor(const QString& model, const QString& heldOutData);

Q_SIGNALS:
  void clusterDialogOpened(QDialog* dialog); // (tests drive it)

private:
  void updateCommand();
  void browse(QLineEdit* field, bool folder);
  void saveSettings();
  void loadSettings();

  QString program_, runDirPattern_;
  bool plan_ = false;
  QComboBox* preset_ = nullptr;
  QComboBox* method_ = nullptr;
  QLineEdit* model_ = nullptr;
  QLineEdit* adapter_ = nullptr;
  QLineEdit* data_ = nullptr;
  QLineEdit* evalData_ = nullptr;
  QComboBox* device_ = nullptr;
  QSpinBox* threads_ = nullptr;
  std::map<std::string, QLineEdit*> options_;
  QPlainTextEdit* command_ = nullptr;
  QLabel* error_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* planButton_ = nullptr;
  QPushButton* clusterButton_ = nullptr;
  QString clusterRunDir_;
};

} // namespace poslab
