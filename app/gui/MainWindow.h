#pragma once
// PosLab's main window: assembles the views (each a controller of its own
// work), the model dock, the menus, the tool bar and the status bar. Opening
// a model is ModelController's, the export bundle BundleExportController's,
// and the lab views' traffic with the engine EngineViewLinks'.
#include "app/gui/BundleExporter.h"
#include "app/gui/FingerprintCache.h"

#include <QMainWindow>
#include <QStringList>
#include <QVector>
#include <memory>

class QAction;
class QCloseEvent;
class QDragEnterEvent;
class QDockWidget;
class QDropEvent;
class QTabWidget;

namespace poslab {

class ExportablePlot;

class AggregatePanel;
class BundleExportController;
class DepthPanel;
class EngineController;
class EngineViewLinks;
class GenerationView;
class ModelController;
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
  ModelController* models() const { return models_; }
  QStringList recentModels() const;

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
  void createViews();
  void createModelDock();
  void createActions();
  void createMenus();
  void createToolBar();
  void connectViews();
  void showAbout();
  void showMessage(const QString& text);

  EngineController* engine_ = nullptr;
  ModelController* models_ = nullptr;
  BundleExportController* bundles_ = nullptr;
  EngineViewLinks* links_ = nullptr;
  ModelInfoPanel* panel_ = nullptr;
  QDockWidget* dock_ = nullptr;
  GenerationView* view_ = nullptr;
  SweepPanel* sweep_ = nullptr;
  ExplorerPanel* explorer_ = nullptr;
  AggregatePanel* aggregate_ = nullptr;
  DepthPanel* depth_ = nullptr;
  TrainPanel* train_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QAction* openData_ = nullptr;
  QAction* exportBundle_ = nullptr;
  QAction* exportFigure_ = nullptr;
  QAction* quit_ = nullptr;
  std::shared_ptr<FingerprintCache> fingerprints_ = std::make_shared<FingerprintCache>();
};

} // namespace poslab
