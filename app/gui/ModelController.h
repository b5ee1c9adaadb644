#pragma once
// Opening a model in the main window: the Open Model dialog and file choosers,
// Open Recent, Reload, the device/dtype chooser (a change reloads), and the
// status bar while the weights load (bytes, MiB/s, ETA, Cancel). It shows the
// memory estimate in the model panel before the weights load and tells which
// model is in memory; the views learn of a loaded model from modelLoaded().
#include "core/engine/Engine.h"
#include "widgets/ModelSummary.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStatusBar;
class QWidget;

namespace poslab {

class EngineController;
class ModelInfoPanel;

class ModelController : public QObject {
  Q_OBJECT
public:
  // Its widgets go into `statusBar`; its dialogs and message boxes open over `window`.
  ModelController(EngineController* engine, ModelInfoPanel* panel, QStatusBar* statusBar, QWidget* window);

  QAction* openAction() const { return openFile_; }
  QAction* openFolderAction() const { return openFolder_; }
  QAction* reloadAction() const { return reload_; }
  QMenu* recentMenu() const { return recentMenu_; }
  // "Device [CPU · f32]": for the tool bar (which takes it over).
  QWidget* computeChooser() const { return computeHolder_; }

  QStringList recentModels() const;
  LoadOptions loadOptions() const;
  // The model in memory ("" when none) and what was loaded.
  QString loadedPath() const { return loadedPath_; }
  const ModelSummary& loaded() const { return loaded_; }

  static constexpr int kMaxRecent = 8;

Q_SIGNALS:
  void modelLoaded(const poslab::ModelSummary& summary); // after the status bar and recent list know it
  void loadCancelled();

public Q_SLOTS:
  // A .gguf file or a Hugging Face folder (a config.json or *.safetensors inside
  // one stands for its folder).
  void openModel(const QString& path);
  void openModelDialog();

private:
  void chooseModelFolder();
  void reloadModel();
  void computeChanged();
  void addComputeChoices(bool cuda);
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void updateActions();
  void showMessage(const QString& text, int ms = 0);

  void onInspected(const poslab::ModelSummary& estimate);
  void onUnloaded();
  void onLoaded(const poslab::ModelSummary& summary);
  void onLoadFailed(const QString& message);
  void onLoadProgress(qint64 bytesDone, qint64 bytesTotal);
  void onLoadCancelled();

  EngineController* engine_ = nullptr;
  ModelInfoPanel* panel_ = nullptr;
  QStatusBar* statusBar_ = nullptr;
  QWidget* window_ = nullptr;
  QAction* openFile_ = nullptr;
  QAction* openFolder_ = nullptr;
  QAction* reload_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QWidget* computeHolder_ = nullptr;
  QComboBox* compute_ = nullptr;
  QPushButton* cancelLoad_ = nullptr;
  QLabel* modelLabel_ = nullptr;
  QProgressBar* busyBar_ = nullptr;
  QProgressBar* loadBar_ = nullptr; // weights read while a model loads (replaces busyBar_ then)
  QElapsedTimer loadClock_;         // since the load's first byte, for MiB/s
  QString loadedPath_;              // the model in memory ("" when none)
  QString pendingPath_;             // the model being opened
  ModelSummary loaded_;             // what the panel shows again if opening another model fails
};

} // namespace poslab
