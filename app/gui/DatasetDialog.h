#pragma once
// File → Open Dataset: the data file (with a recent list) and how prompts are
// made from it — task, documents per prompt (or random distractors for an
// oracle file), prompt template and chat template. Edits the data part of a
// SweepSettings; the sweep, explorer, aggregate and depth views all use it.
#include "core/sweep/SweepSettings.h"

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace poslab {

class DatasetDialog : public QDialog {
  Q_OBJECT
public:
  DatasetDialog(const SweepSettings& current, const QStringList& recent, QWidget* parent = nullptr);

  // `base` with the dialog's data path, task, documents, distractors and templates.
  SweepSettings apply(SweepSettings base) const;
  QString dataPath() const;

  // The built-in prompt templates by the names SweepRunner::promptSettings
  // resolves (the CLI's --prompt-template lists the same).
  static QStringList promptTemplateNames();
  // "auto" and ChatTemplate's family names.
  static QStringList chatTemplateNames();
  // An oracle file holds the gold passage alone: its documents come from other questions.
  static bool looksLikeOracle(const QString& path);

private:
  void browse();
  void chooseTemplateFile();
  void pathChanged();
  void validate();

  QComboBox* path_ = nullptr;
  QComboBox* task_ = nullptr;
  QSpinBox* docs_ = nullptr;
  QCheckBox* random_ = nullptr;
  QComboBox* template_ = nullptr;
  QComboBox* chat_ = nullptr;
  QLabel* problem_ = nullptr;
};

} // namespace poslab
