#pragma once
// File → Open Model: the model (a .gguf file or a Hugging Face folder, with the
// recent list), the device and dtype, and what it will cost in memory — read
// from the config / GGUF header alone (Engine::inspect, no weights) on a pool
// thread, so the estimate is there before anything is loaded.
#include "core/engine/Engine.h"
#include "widgets/ModelSummary.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QStringList>

class QComboBox;
class QLabel;
class QPushButton;

namespace poslab {

class ModelOpenDialog : public QDialog {
  Q_OBJECT
public:
  // computeChoices: (label, "device|dtype") pairs, as the toolbar's Device box holds them.
  ModelOpenDialog(const QStringList& recent, const QList<QPair<QString, QString>>& computeChoices,
                  const QString& compute, QWidget* parent = nullptr);
  ~ModelOpenDialog() override;

  QString modelPath() const;
  QString compute() const; // "device|dtype"
  LoadOptions loadOptions() const;
  // The estimate shown (valid once estimated() was emitted without an error).
  const ModelSummary& estimate() const { return estimate_; }
  QString estimateText() const;

Q_SIGNALS:
  void estimated(const poslab::ModelSummary& estimate, const QString& error);

private:
  struct Outcome {
    ModelSummary summary;
    QString error;
  };
  void browseFile();
  void browseFolder();
  void inspect();
  void showOutcome();

  QComboBox* path_ = nullptr;
  QComboBox* compute_ = nullptr;
  QLabel* estimateLabel_ = nullptr;
  QPushButton* open_ = nullptr;
  QFutureWatcher<Outcome> watcher_;
  ModelSummary estimate_;
  bool inspectAgain_ = false;
};

} // namespace poslab
