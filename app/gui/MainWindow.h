#pragma once
// PosLab's main window: opens a model (showing its memory estimate before the
// weights load), lets the user pick device and dtype, and hosts the views.
#include "app/gui/BundleExporter.h"
#include "app/gui/FingerprintCache.h"
#include "core/engine/Engine.h"
#include "widgets/GenerationStats.h"
#include "widgets/ModelSummary.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QMainWindow>
#include <QStringList>
#include <QVector>
#include <memory>

class QAction;
class QCloseEvent;
class QDragEnterEvent;
class QDropEvent;
class QComboBox;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace poslab {

class ExportablePlot;

class AggregatePanel;
class DepthPanel;
class EngineController;
class GenerationView;
class SweepPanel;
class TrainPanel;
class ExplorerPanel;
class ModelInfoPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  ModelInfoPanel* modelPanel() const { return panel_; }
  GenerationView* generationView() const { return view_; }
  SweepPanel* sweepPanel() const { return sweep_; }
  ExplorerPanel* explorerPanel() const { return explorer_; }
  AggregatePanel* aggregatePanel() const { return aggregate_; }
  DepthPanel* depthPanel() const { return depth_; }
  TrainPanel* trainPanel() const { return train_; }
  QTabWidget* views() const { return tabs_; }
  // The view on tab `index` (the tab itself holds the scroll area around it).
  QWidget* viewAt(int index) const;
  // "sweep", "explore", "aggregate", "depth", "generate", "train"; false for another name.
  bool showView(const QString& name);
  static QStringList viewNames();
  // Every figure that has data, with where it came from (runs, settings, fingerprints).
  // Fingerprints come from the cache only (no hashing here, this is the GUI
  // thread); those not computed yet are added to `missing`.
  QVector<BundleFigure> bundleFigures(QVector<FingerprintCache::Request>* missing = nullptr) const;
  // The figure of the view shown (sweep plot, placement heatmap, aggregate, depth), null
  // for a view without one; File → Export Figure and right-click on a plot export it.
  const ExportablePlot* currentFigure() const;
  EngineController* engine() const { return engine_; }
  QStringList recentModels() const;
  LoadOptions loadOptions() const;

  static constexpr int kMaxRecent = 8;

Q_SIGNALS:
  // For scripted use (screenshot mode, tests): a model is ready / a generation ended.
  void modelReady();
  void generationDone();
  void sweepDone(const QString& runDir, const QString& status);
  void aggregateDone(bool complete);
  void depthDone(const QString& status);
  void loadCancelled();
  // An export started by startBundleExport() ended (`error` says why when !ok).
  void bundleExported(const QString& folder, bool ok, const QString& error);

public Q_SLOTS:
  // A .gguf file or a Hugging Face folder (a config.json or *.safetensors inside
  // one stands for its folder).
  void openModel(const QString& path);
  // File → Export Bundle: figures, their numbers and manifest.json into `folder`.
  // The fingerprints it needs are computed on the pool (the window stays
  // responsive, the status bar says what is hashed); then the figures are drawn
  // and written here, on the GUI thread; bundleExported() says how it ended.
  void startBundleExport(const QString& folder);
  // The same, returning when it is written (a local event loop runs meanwhile):
  // for scripts and tests.
  bool exportBundle(const QString& folder, QString* error = nullptr);
  void openModelDialog();
  // File → Export Figure…: the current view's figure, at a chosen size and DPI.
  void exportCurrentFigure();

protected:
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

private:
  void createActions();
  void createMenus();
  void createToolBar();
  void chooseModelFile();
  void chooseModelFolder();
  void reloadModel();
  void computeChanged();
  void addComputeChoices(bool cuda);
  void rememberRecent(const QString& path);
  void rebuildRecentMenu();
  void updateActions();
  void showAbout();
  void chooseBundleFolder();
  void continueBundleExport();
  void onLoadCancelled();
  void connectViews();

  void onInspected(const poslab::ModelSummary& estimate);
  void onUnloaded();
  void onLoaded(const poslab::ModelSummary& summary);
  void onLoadFailed(const QString& message);
  void onLoadProgress(qint64 bytesDone, qint64 bytesTotal);
  void onGenerate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText);
  void onGenerationFinished(const poslab::GenerationStats& stats);
  void onGenerationFailed(const QString& message);

  EngineController* engine_ = nullptr;
  ModelInfoPanel* panel_ = nullptr;
  GenerationView* view_ = nullptr;
  SweepPanel* sweep_ = nullptr;
  ExplorerPanel* explorer_ = nullptr;
  AggregatePanel* aggregate_ = nullptr;
  DepthPanel* depth_ = nullptr;
  TrainPanel* train_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QPushButton* cancelLoad_ = nullptr;
  QAction* openData_ = nullptr;
  QAction* exportBundle_ = nullptr;
  QAction* exportFigure_ = nullptr;
  QComboBox* compute_ = nullptr;
  QLabel* modelLabel_ = nullptr;
  QProgressBar* busyBar_ = nullptr;
  QProgressBar* loadBar_ = nullptr; // weights read while a model loads (replaces busyBar_ then)
  QElapsedTimer loadClock_;         // since the load's first byte, for MiB/s
  QMenu* recentMenu_ = nullptr;
  QAction* openFile_ = nullptr;
  QAction* openFolder_ = nullptr;
  QAction* reload_ = nullptr;
  QAction* quit_ = nullptr;
  QString loadedPath_;  // the model in memory ("" when none)
  QString pendingPath_; // the model being opened
  ModelSummary loaded_; // what the panel shows again if opening another model fails
  std::shared_ptr<FingerprintCache> fingerprints_ = std::make_shared<FingerprintCache>();
  QFutureWatcher<void>* bundleWatcher_ = nullptr;
  QString bundleFolder_; // the export in progress ("" when none)
  int bundleRounds_ = 0; // fingerprinting rounds of that export
};

} // namespace poslab
