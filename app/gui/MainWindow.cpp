#include "app/gui/MainWindow.h"

#include "app/gui/AggregatePanel.h"
#include "app/gui/BundleExportController.h"
#include "app/gui/BundleSources.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/EngineController.h"
#include "app/gui/EngineViewLinks.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/JobPage.h"
#include "app/gui/ModelController.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainPanel.h"
#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/GenerationView.h"
#include "widgets/ModelInfoPanel.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/SweepPlot.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace poslab {

namespace {
constexpr int kMessageMs = 8000;
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("PosLab");
  setAcceptDrops(true);
  engine_ = new EngineController(this);
  createViews();
  createModelDock();
  models_ = new ModelController(engine_, panel_, statusBar(), this);
  bundles_ = new BundleExportController(
      [this](QVector<FingerprintCache::Request>* missing) { return bundleFigures(missing); }, fingerprints_,
      statusBar(), this);
  links_ = new EngineViewLinks(engine_, {view_, sweep_, explorer_, aggregate_, depth_}, this);
  createActions();
  createMenus();
  createToolBar();
  connectViews();

  QSettings settings;
  if (!restoreGeometry(settings.value("geometry").toByteArray())) resize(1200, 800);
  if (!restoreState(settings.value("windowState").toByteArray())) resizeDocks({dock_}, {320}, Qt::Horizontal);
  setMinimumSize(900, 560);
  statusBar()->showMessage(tr("Open a model to begin: File → Open Model… (Ctrl+O)"));
}

MainWindow::~MainWindow() = default;

void MainWindow::createViews() {
  view_ = new GenerationView(this);
  sweep_ = new SweepPanel(this);
  explorer_ = new ExplorerPanel(this);
  aggregate_ = new AggregatePanel(this);
  depth_ = new DepthPanel(this);
  train_ = new TrainPanel(this);
  aggregate_->setSettingsSource([this] { return sweep_->settings(); });
  depth_->setSettingsSource([this] { return sweep_->settings(); });
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName("views");
  // Each view sits in a scroll area: in a window smaller than the view's minimum it
  // scrolls instead of being clipped (the window may be made smaller than 1280x800).
  const auto addView = [this](QWidget* view, const QString& title, const QString& tip) {
    auto* area = new QScrollArea;
    area->setWidget(view);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    tabs_->setTabToolTip(tabs_->addTab(area, title), tip);
  };
  addView(sweep_, tr("Sweep"), tr("Accuracy as the gold document moves through the prompt"));
  addView(explorer_, tr("Explore"),
          tr("One example: move the gold document and see the answer and the attention"));
  addView(aggregate_, tr("Aggregate"),
          tr("Attention mass per document × gold position over the dataset (Pos2Distill Fig. 7)"));
  addView(depth_, tr("Depth"), tr("Accuracy over gold position × number of documents"));
  addView(view_, tr("Generate"), tr("Free generation from a prompt"));
  addView(train_, tr("Train"),
          tr("Pos2Distill jobs: launch, watch live, manage checkpoints; jobs go on when PosLab closes"));
  setCentralWidget(tabs_);

  const QString fallback =
      QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("workspace");
  sweep_->setWorkspace(QSettings().value("workspace", fallback).toString());
  depth_->setWorkspace(sweep_->workspace());
  aggregate_->setWorkspace(sweep_->workspace());
  aggregate_->setFingerprints(fingerprints_);
  train_->setWorkspace(sweep_->workspace());
  train_->setDefaultsSource([this] { return models_->loadedPath(); }, [this] { return sweep_->dataPath(); });
}

void MainWindow::createModelDock() {
  panel_ = new ModelInfoPanel;
  auto* scroll = new QScrollArea;
  scroll->setWidget(panel_);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setMinimumWidth(panel_->minimumWidth() + 16);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  dock_ = new QDockWidget(tr("Model"), this);
  dock_->setObjectName("modelDock");
  dock_->setWidget(scroll);
  dock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  dock_->setToolTip(tr("What the model is and what it costs in memory"));
  addDockWidget(Qt::LeftDockWidgetArea, dock_);
}

void MainWindow::createActions() {
  openData_ = new QAction(tr("Open &Dataset…"), this);
  openData_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
  openData_->setToolTip(
      tr("Choose the dataset, its task, documents per prompt, prompt and chat template (Ctrl+D)"));
  openData_->setStatusTip(openData_->toolTip());
  connect(openData_, &QAction::triggered, sweep_, &SweepPanel::openDatasetDialog);

  exportBundle_ = new QAction(tr("&Export Bundle…"), this);
  exportBundle_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
  exportBundle_->setToolTip(
      tr("Write every figure (PDF, SVG, PNG), its numbers (CSV, JSON) and manifest.json "
         "into a folder (Ctrl+E)"));
  exportBundle_->setStatusTip(exportBundle_->toolTip());
  connect(exportBundle_, &QAction::triggered, this, [this] { bundles_->chooseFolder(sweep_->workspace()); });

  exportFigure_ = new QAction(tr("Export &Figure…"), this);
  exportFigure_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  exportFigure_->setToolTip(
      tr("Save the figure of the view shown as PDF, SVG or PNG at a chosen size and DPI, "
         "or its numbers as CSV or JSON (Ctrl+Shift+E; or right-click the plot)"));
  exportFigure_->setStatusTip(exportFigure_->toolTip());
  connect(exportFigure_, &QAction::triggered, this, &MainWindow::exportCurrentFigure);

  quit_ = new QAction(tr("&Quit"), this);
  quit_->setShortcut(QKeySequence::Quit);
  quit_->setStatusTip(tr("Quit PosLab"));
  connect(quit_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->setToolTipsVisible(true);
  file->addAction(models_->openAction());
  file->addAction(models_->openFolderAction());
  file->addMenu(models_->recentMenu());
  file->addAction(models_->reloadAction());
  file->addSeparator();
  file->addAction(openData_);
  file->addAction(exportFigure_);
  file->addAction(exportBundle_);
  file->addSeparator();
  file->addAction(quit_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->setObjectName("viewMenu");
  view->addAction(dock_->toggleViewAction());

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About PosLab"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar() {
  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName("mainToolBar");
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(models_->openAction());
  bar->addAction(models_->reloadAction());
  bar->addAction(openData_);
  bar->addAction(exportBundle_);
  bar->addSeparator();
  bar->addWidget(models_->computeChooser());
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About PosLab"),
                     tr("<b>PosLab %1</b><p>A desktop lab for positional bias in local language models.</p>"
                        "<p>Licensed under the GNU GPL version 3 or later.</p>")
                         .arg(QCoreApplication::applicationVersion()));
}

void MainWindow::showMessage(const QString& text) {
  statusBar()->showMessage(text, kMessageMs);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  engine_->cancel();
  QSettings settings;
  settings.setValue("geometry", saveGeometry());
  settings.setValue("windowState", saveState());
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && event->mimeData()->urls().value(0).isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls[0].isLocalFile()) return;
  event->acceptProposedAction();
  openModel(urls[0].toLocalFile());
}

void MainWindow::openModel(const QString& path) {
  models_->openModel(path);
}

void MainWindow::openModelDialog() {
  models_->openModelDialog();
}

QStringList MainWindow::recentModels() const {
  return models_->recentModels();
}

void MainWindow::connectViews() {
  // The views learn of the model first, then whoever waits for modelReady().
  connect(models_, &ModelController::modelLoaded, this, [this](const ModelSummary& summary) {
    links_->modelLoaded(summary);
    Q_EMIT modelReady();
  });
  connect(models_, &ModelController::loadCancelled, this, &MainWindow::loadCancelled);
  connect(links_, &EngineViewLinks::message, this, &MainWindow::showMessage);
  connect(links_, &EngineViewLinks::generationDone, this, &MainWindow::generationDone);
  connect(links_, &EngineViewLinks::sweepDone, this, &MainWindow::sweepDone);
  connect(links_, &EngineViewLinks::aggregateDone, this, &MainWindow::aggregateDone);
  connect(links_, &EngineViewLinks::depthDone, this, &MainWindow::depthDone);
  connect(bundles_, &BundleExportController::exported, this, &MainWindow::bundleExported);
  connect(bundles_, &BundleExportController::runningChanged, exportBundle_,
          [this](bool running) { exportBundle_->setEnabled(!running); });

  // Right-click on any figure exports it (the names match the export bundle's files).
  const std::pair<const ExportablePlot*, const char*> figures[] = {
      {sweep_->plot(), "accuracy_vs_position"},
      {explorer_->explorer()->attentionHeatmap(), "placement_attention"},
      {explorer_->explorer()->attentionBars(), "placement_attention_bars"},
      {aggregate_->heatmap(), "attention_mass"},
      {depth_->heatmap(), "depth_vs_documents"}};
  for (const auto& [plot, stem] : figures)
    if (auto* host = dynamic_cast<QWidget*>(const_cast<ExportablePlot*>(plot)))
      FigureExportDialog::offerOnRightClick(host, *plot, QString::fromLatin1(stem));
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    exportFigure_->setEnabled(currentFigure());
    if (viewAt(index) != explorer_) return;
    explorer_->setSettings(sweep_->settings());
    explorer_->request();
  });

  // A checkpoint opened from the Train view becomes the lab's model.
  connect(train_, &TrainPanel::openCheckpoint, this, [this](const QString& folder) {
    openModel(folder);
    showView(QStringLiteral("sweep"));
  });
  connect(train_, &TrainPanel::message, this, &MainWindow::showMessage);
}

QStringList MainWindow::viewNames() {
  return {"sweep", "explore", "aggregate", "depth", "generate", "train"};
}

QWidget* MainWindow::viewAt(int index) const {
  const auto* area = qobject_cast<QScrollArea*>(tabs_->widget(index));
  return area ? area->widget() : nullptr;
}

bool MainWindow::showView(const QString& name) {
  const int index = viewNames().indexOf(name);
  if (index < 0) return false;
  tabs_->setCurrentIndex(index);
  return true;
}

QVector<BundleFigure> MainWindow::bundleFigures(QVector<FingerprintCache::Request>* missing) const {
  const ModelSummary& model = models_->loaded();
  return BundleSources::collect({sweep_, explorer_, aggregate_, depth_, train_},
                                {models_->loadedPath(), model.device, model.computeDtype}, *fingerprints_,
                                missing);
}

void MainWindow::startBundleExport(const QString& folder) {
  bundles_->start(folder);
}

bool MainWindow::exportBundle(const QString& folder, QString* error) {
  return bundles_->exportNow(folder, error);
}

const ExportablePlot* MainWindow::currentFigure() const {
  const QWidget* shown = viewAt(tabs_->currentIndex());
  if (shown == sweep_) return sweep_->plot();
  if (shown == explorer_) return explorer_->explorer()->attentionHeatmap();
  if (shown == aggregate_) return aggregate_->heatmap();
  if (shown == depth_) return depth_->heatmap();
  if (shown == train_) return train_->page()->evalPlot();
  return nullptr;
}

void MainWindow::exportCurrentFigure() {
  const ExportablePlot* figure = currentFigure();
  if (!figure) return showMessage(tr("This view has no figure to export."));
  const QString stem = figure->plotData().name.isEmpty() ? QStringLiteral("figure") : figure->plotData().name;
  FigureExportDialog dialog(*figure, FigureExportDialog::suggestedPath(stem), this);
  if (dialog.exec() == QDialog::Accepted)
    showMessage(tr("Exported %1.").arg(QDir::toNativeSeparators(dialog.path())));
}

} // namespace poslab
