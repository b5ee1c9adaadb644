#include "app/gui/MainWindow.h"

#include "app/gui/AggregatePanel.h"
#include "app/gui/AggregateStore.h"
#include "app/gui/BundleSources.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/EngineController.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/JobPage.h"
#include "app/gui/ModelOpenDialog.h"
#include "app/gui/ProgressText.h"
#include "app/gui/RecentFiles.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainPanel.h"
#include "core/util/JsonFile.h"
#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/GenerationView.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/ModelInfoPanel.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/SweepPlot.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QToolBar>
#include <algorithm>

namespace poslab {

namespace {

constexpr int kMessageMs = 8000;
const char* const kRecentKey = "recentModels";
const char* const kComputeKey = "compute";

// A file inside a Hugging Face folder stands for the folder.
QString modelPathFor(const QString& chosen) {
  const QFileInfo info(chosen);
  if (info.isFile() && info.suffix().compare("gguf", Qt::CaseInsensitive) != 0) return info.absolutePath();
  return info.absoluteFilePath();
}

QString displayName(const QString& path) {
  const QString name = QFileInfo(path).fileName();
  return name.isEmpty() ? path : name;
}

QString bytes(qint64 n) {
  return QLocale(QLocale::English).formattedDataSize(n, 1);
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle("PosLab");
  setAcceptDrops(true);
  engine_ = new EngineController(this);

  view_ = new GenerationView(this);
  sweep_ = new SweepPanel(this);
  explorer_ = new ExplorerPanel(this);
  aggregate_ = new AggregatePanel(this);
  depth_ = new DepthPanel(this);
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
  train_ = new TrainPanel(this);
  addView(train_, tr("Train"),
          tr("Pos2Distill jobs: launch, watch live, manage checkpoints; jobs go on when PosLab closes"));
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int index) {
    if (viewAt(index) != explorer_) return;
    explorer_->setSettings(sweep_->settings());
    explorer_->request();
  });
  setCentralWidget(tabs_);
  {
    QSettings settings;
    const QString fallback =
        QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath("workspace");
    sweep_->setWorkspace(settings.value("workspace", fallback).toString());
    depth_->setWorkspace(sweep_->workspace());
    aggregate_->setWorkspace(sweep_->workspace());
    aggregate_->setFingerprints(fingerprints_);
    train_->setWorkspace(sweep_->workspace());
    train_->setDefaultsSource([this] { return loadedPath_; }, [this] { return sweep_->dataPath(); });
  }

  panel_ = new ModelInfoPanel;
  auto* scroll = new QScrollArea;
  scroll->setWidget(panel_);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setMinimumWidth(panel_->minimumWidth() + 16);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* dock = new QDockWidget(tr("Model"), this);
  dock->setObjectName("modelDock");
  dock->setWidget(scroll);
  dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  dock->setToolTip(tr("What the model is and what it costs in memory"));
  addDockWidget(Qt::LeftDockWidgetArea, dock);

  createActions();
  createMenus();
  menuBar()->findChild<QMenu*>("viewMenu")->addAction(dock->toggleViewAction());
  createToolBar();

  modelLabel_ = new QLabel(this);
  modelLabel_->setToolTip(tr("The model in memory, its device and dtype"));
  busyBar_ = new QProgressBar(this);
  busyBar_->setRange(0, 0);
  busyBar_->setMaximumWidth(120);
  busyBar_->setToolTip(tr("The engine is working"));
  busyBar_->setVisible(false);
  cancelLoad_ = new QPushButton(tr("Cancel loading"), this);
  cancelLoad_->setObjectName("cancelLoadButton");
  cancelLoad_->setToolTip(
      tr("Stop opening the model: the app stays usable and the loaded weights are dropped"));
  cancelLoad_->setVisible(false);
  connect(cancelLoad_, &QPushButton::clicked, engine_, &EngineController::cancel);
  loadBar_ = new QProgressBar(this);
  loadBar_->setObjectName("loadProgressBar");
  loadBar_->setMinimumWidth(300); // "1234.5 / 4567.8 MiB · 89 MiB/s · ETA 0m42s" fits
  loadBar_->setMaximumWidth(400);
  loadBar_->setToolTip(tr("Weights read so far, how fast, and the time left"));
  loadBar_->setVisible(false);
  statusBar()->addPermanentWidget(modelLabel_);
  statusBar()->addPermanentWidget(cancelLoad_);
  statusBar()->addPermanentWidget(loadBar_);
  statusBar()->addPermanentWidget(busyBar_);
  connect(engine_, &EngineController::loadProgress, this, &MainWindow::onLoadProgress);

  connect(engine_, &EngineController::modelInspected, this, &MainWindow::onInspected);
  connect(engine_, &EngineController::modelUnloaded, this, &MainWindow::onUnloaded);
  connect(engine_, &EngineController::modelLoaded, this, &MainWindow::onLoaded);
  connect(engine_, &EngineController::loadFailed, this, &MainWindow::onLoadFailed);
  connect(engine_, &EngineController::loadCancelled, this, &MainWindow::onLoadCancelled);
  connect(engine_, &EngineController::cudaAvailabilityKnown, this, &MainWindow::addComputeChoices);
  connect(engine_, &EngineController::busyChanged, this, &MainWindow::updateActions);
  connect(engine_, &EngineController::generationStarted, view_, &GenerationView::started);
  connect(engine_, &EngineController::token, view_, &GenerationView::appendText);
  connect(engine_, &EngineController::generationFinished, this, &MainWindow::onGenerationFinished);
  connect(engine_, &EngineController::generationFailed, this, &MainWindow::onGenerationFailed);
  connect(view_, &GenerationView::generateRequested, this, &MainWindow::onGenerate);
  connect(view_, &GenerationView::cancelRequested, engine_, &EngineController::cancel);
  connect(sweep_, &SweepPanel::runRequested, this,
          [this](const SweepSettings& settings, const QString& runDir) {
            if (!engine_->runSweep(settings, runDir))
              sweep_->failed(tr("the engine is busy or no model is loaded"));
          });
  connect(sweep_, &SweepPanel::cancelRequested, engine_, &EngineController::cancel);
  connect(explorer_, &ExplorerPanel::placementRequested, engine_, &EngineController::explore);
  connect(engine_, &EngineController::positionCount, explorer_, &ExplorerPanel::onPositionCount);
  connect(engine_, &EngineController::placement, explorer_, &ExplorerPanel::onPlacement);
  connect(engine_, &EngineController::exploreFailed, explorer_, &ExplorerPanel::onFailed);
  connect(engine_, &EngineController::sweepStarted, sweep_, [this] { sweep_->setRunning(true); });
  // Only the Sweep view's own run draws live there; a depth study's sweeps are
  // listed as runs when it ends and can be overlaid from the list.
  connect(engine_, &EngineController::sweepCurve, this, [this](const SweepCurve& curve) {
    if (sweep_->isRunning()) sweep_->showCurve(curve);
  });
  connect(engine_, &EngineController::sweepProgress, sweep_, &SweepPanel::showProgress);
  connect(
      engine_, &EngineController::sweepFinished, this, [this](const QString& runDir, const QString& status) {
        sweep_->setRunning(false);
        sweep_->finished(runDir, status);
        statusBar()->showMessage(tr("Sweep %1: %2").arg(status, QFileInfo(runDir).fileName()), kMessageMs);
        Q_EMIT sweepDone(runDir, status);
      });
  connect(engine_, &EngineController::sweepFailed, this, [this](const QString& message) {
    sweep_->setRunning(false);
    sweep_->failed(message);
    statusBar()->showMessage(tr("Sweep failed: %1").arg(message), kMessageMs);
    Q_EMIT sweepDone(QString(), "failed");
  });

  connectViews();

  QSettings settings;
  if (!restoreGeometry(settings.value("geometry").toByteArray())) resize(1200, 800);
  if (!restoreState(settings.value("windowState").toByteArray())) resizeDocks({dock}, {320}, Qt::Horizontal);
  setMinimumSize(900, 560);

  view_->setModelReady(false);
  rebuildRecentMenu();
  updateActions();
  statusBar()->showMessage(tr("Open a model to begin: File → Open Model… (Ctrl+O)"));
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
  openFile_ = new QAction(tr("&Open Model…"), this);
  openFile_->setShortcut(QKeySequence::Open);
  openFile_->setToolTip(tr("Open a .gguf file or a Hugging Face folder, with device, dtype and the memory it "
                           "needs shown before loading (Ctrl+O)"));
  openFile_->setStatusTip(openFile_->toolTip());
  connect(openFile_, &QAction::triggered, this, &MainWindow::openModelDialog);

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
  connect(exportBundle_, &QAction::triggered, this, &MainWindow::chooseBundleFolder);

  exportFigure_ = new QAction(tr("Export &Figure…"), this);
  exportFigure_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  exportFigure_->setToolTip(
      tr("Save the figure of the view shown as PDF, SVG or PNG at a chosen size and DPI, "
         "or its numbers as CSV or JSON (Ctrl+Shift+E; or right-click the plot)"));
  exportFigure_->setStatusTip(exportFigure_->toolTip());
  connect(exportFigure_, &QAction::triggered, this, &MainWindow::exportCurrentFigure);

  openFolder_ = new QAction(tr("Open Model &Folder…"), this);
  openFolder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  openFolder_->setToolTip(tr("Open a Hugging Face model folder (config.json + safetensors) (Ctrl+Shift+O)"));
  openFolder_->setStatusTip(openFolder_->toolTip());
  connect(openFolder_, &QAction::triggered, this, &MainWindow::chooseModelFolder);

  reload_ = new QAction(tr("&Reload Model"), this);
  reload_->setShortcut(QKeySequence::Refresh);
  reload_->setToolTip(tr("Load the current model again with the chosen device and dtype (F5)"));
  reload_->setStatusTip(reload_->toolTip());
  connect(reload_, &QAction::triggered, this, &MainWindow::reloadModel);

  quit_ = new QAction(tr("&Quit"), this);
  quit_->setShortcut(QKeySequence::Quit);
  quit_->setStatusTip(tr("Quit PosLab"));
  connect(quit_, &QAction::triggered, this, &QWidget::close);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->setToolTipsVisible(true);
  file->addAction(openFile_);
  file->addAction(openFolder_);
  recentMenu_ = file->addMenu(tr("Open &Recent"));
  recentMenu_->setToolTipsVisible(true);
  file->addAction(reload_);
  file->addSeparator();
  file->addAction(openData_);
  file->addAction(exportFigure_);
  file->addAction(exportBundle_);
  file->addSeparator();
  file->addAction(quit_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->setObjectName("viewMenu");

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About PosLab"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar() {
  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName("mainToolBar");
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(openFile_);
  bar->addAction(reload_);
  bar->addAction(openData_);
  bar->addAction(exportBundle_);
  bar->addSeparator();

  auto* holder = new QWidget(bar);
  auto* row = new QHBoxLayout(holder);
  row->setContentsMargins(6, 0, 6, 0);
  row->setSpacing(6);
  compute_ = new QComboBox(holder);
  compute_->setObjectName("computeCombo");
  compute_->setToolTip(tr("Device and number format for the weights; changing it reloads the model. "
                          "bf16 halves the memory and is fast on CPUs with AMX."));
  compute_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  auto* label = new QLabel(tr("&Device"), holder);
  label->setBuddy(compute_);
  label->setToolTip(compute_->toolTip());
  row->addWidget(label);
  row->addWidget(compute_);
  bar->addWidget(holder);
  addComputeChoices(false);

  const QString saved = QSettings().value(kComputeKey, "cpu|f32").toString();
  const int index = compute_->findData(saved);
  compute_->setCurrentIndex(index >= 0 ? index : 0);
  connect(compute_, &QComboBox::currentIndexChanged, this, &MainWindow::computeChanged);
}

void MainWindow::addComputeChoices(bool cuda) {
  const QSignalBlocker block(compute_);
  if (compute_->count() == 0) {
    compute_->addItem(tr("CPU · f32"), "cpu|f32");
    compute_->addItem(tr("CPU · bf16"), "cpu|bf16");
  }
  if (cuda && compute_->findData("cuda|f16") < 0) {
    compute_->addItem(tr("CUDA · f16"), "cuda|f16");
    compute_->addItem(tr("CUDA · bf16"), "cuda|bf16");
    compute_->addItem(tr("CUDA · f32"), "cuda|f32");
  }
}

LoadOptions MainWindow::loadOptions() const {
  const QStringList parts = compute_->currentData().toString().split('|');
  LoadOptions options;
  if (parts.size() == 2) {
    options.device = parts[0].toStdString();
    options.dtype = parts[1].toStdString();
  }
  // Leave one core to the GUI thread so the window stays responsive while the engine computes.
  options.threads = std::max(1, QThread::idealThreadCount() - 1);
  return options;
}

void MainWindow::computeChanged() {
  QSettings().setValue(kComputeKey, compute_->currentData());
  if (!loadedPath_.isEmpty() && !engine_->isBusy()) reloadModel();
}

void MainWindow::chooseModelFile() {
  const QString start = QFileInfo(recentModels().value(0)).absolutePath();
  const QString chosen =
      QFileDialog::getOpenFileName(this, tr("Open Model"), start,
                                   tr("Models (*.gguf config.json *.safetensors "
                                      "model.safetensors.index.json);;GGUF files (*.gguf);;All files (*)"));
  if (!chosen.isEmpty()) openModel(modelPathFor(chosen));
}

void MainWindow::chooseModelFolder() {
  const QString start = QFileInfo(recentModels().value(0)).absolutePath();
  const QString chosen = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), start);
  if (!chosen.isEmpty()) openModel(chosen);
}

void MainWindow::reloadModel() {
  if (!loadedPath_.isEmpty()) openModel(loadedPath_);
}

void MainWindow::openModel(const QString& path) {
  const QString model = modelPathFor(path);
  if (engine_->isBusy()) {
    statusBar()->showMessage(
        tr("The engine is busy; cancel or wait before opening %1.").arg(displayName(model)), kMessageMs);
    return;
  }
  pendingPath_ = model;
  loadBar_->setRange(0, 0); // busy until the first progress tells the total
  loadBar_->setFormat(QString());
  statusBar()->showMessage(tr("Reading %1…").arg(displayName(model)));
  engine_->loadModel(model, loadOptions());
  updateActions();
}

void MainWindow::onInspected(const ModelSummary& estimate) {
  panel_->showSummary(estimate);
  panel_->setState(tr("Loading weights: needs about %1.").arg(bytes(estimate.estimatedBytes())));
  statusBar()->showMessage(tr("Loading %1 (about %2 of memory)…")
                               .arg(displayName(estimate.path), bytes(estimate.estimatedBytes())));
}

void MainWindow::onUnloaded() {
  loadedPath_.clear();
  loaded_ = {};
  modelLabel_->clear();
  view_->setModelReady(false);
  sweep_->setModelReady(false);
  aggregate_->setModelReady(false);
  aggregate_->setModel({}, {}, {});
  depth_->setModelReady(false);
}

void MainWindow::onLoaded(const ModelSummary& summary) {
  loadedPath_ = summary.path;
  loaded_ = summary;
  pendingPath_.clear();
  panel_->showSummary(summary);
  view_->setTokenLimit(
      static_cast<int>(std::min<qint64>(summary.contextLength > 0 ? summary.contextLength : 4096, 1 << 20)));
  view_->setModelReady(true);
  sweep_->setModelReady(true);
  aggregate_->setModelReady(true);
  aggregate_->setModel(summary.path, summary.device, summary.computeDtype);
  depth_->setModelReady(true);
  explorer_->clearCache();
  modelLabel_->setText(
      tr("%1 · %2 · %3").arg(displayName(summary.path), summary.device, summary.computeDtype));
  modelLabel_->setToolTip(summary.path);
  rememberRecent(summary.path);
  updateActions();
  statusBar()->showMessage(tr("Loaded %1.").arg(displayName(summary.path)), kMessageMs);
  Q_EMIT modelReady();
}

void MainWindow::onLoadFailed(const QString& message) {
  const QString name = displayName(pendingPath_);
  if (engine_->hasModel()) {
    panel_->showSummary(loaded_); // the model in memory is still there
  } else if (panel_->hasModel() && panel_->summary().path == pendingPath_) {
    panel_->setState(tr("Could not load this model (see the message)."));
  } else {
    panel_->clear();
  }
  pendingPath_.clear();
  updateActions();
  statusBar()->showMessage(tr("Could not open %1: %2").arg(name, message));
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open model"),
                              tr("PosLab could not open %1.").arg(name), QMessageBox::Ok, this);
  box->setObjectName("loadErrorBox");
  box->setInformativeText(message);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open(); // window-modal, without a nested event loop
}

void MainWindow::onLoadProgress(qint64 bytesDone, qint64 bytesTotal) {
  if (bytesDone == 0 || !loadClock_.isValid()) loadClock_.start();
  const double mib = 1024.0 * 1024.0;
  const double seconds = static_cast<double>(loadClock_.nsecsElapsed()) / 1e9;
  // Per mille: byte counts pass int's range for models over 2 GiB.
  loadBar_->setRange(0, 1000);
  loadBar_->setValue(bytesTotal > 0 ? static_cast<int>(bytesDone * 1000 / bytesTotal) : 0);
  QString text = tr("%1 / %2 MiB")
                     .arg(static_cast<double>(bytesDone) / mib, 0, 'f', 1)
                     .arg(static_cast<double>(bytesTotal) / mib, 0, 'f', 1);
  if (bytesDone > 0 && seconds > 0)
    text +=
        tr(" · %1 MiB/s · ETA %2")
            .arg(static_cast<double>(bytesDone) / mib / seconds, 0, 'f', 0)
            .arg(ProgressText::eta(static_cast<double>(bytesDone), static_cast<double>(bytesTotal), seconds));
  loadBar_->setFormat(text);
}

void MainWindow::onGenerate(const QString& prompt, int maxNewTokens, bool stopAtEndOfText) {
  if (!engine_->generate(prompt, maxNewTokens, stopAtEndOfText))
    statusBar()->showMessage(tr("The engine is busy."), kMessageMs);
}

void MainWindow::onGenerationFinished(const GenerationStats& stats) {
  view_->finished(stats);
  Q_EMIT generationDone();
}

void MainWindow::onGenerationFailed(const QString& message) {
  view_->failed(message);
  statusBar()->showMessage(tr("Generation failed: %1").arg(message), kMessageMs);
  Q_EMIT generationDone();
}

QStringList MainWindow::recentModels() const {
  return RecentFiles::list(kRecentKey);
}

void MainWindow::rememberRecent(const QString& path) {
  RecentFiles::remember(kRecentKey, path, kMaxRecent);
  rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList recent = recentModels();
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    QAction* action = recentMenu_->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(displayName(path)));
    action->setToolTip(path);
    action->setStatusTip(path);
    connect(action, &QAction::triggered, this, [this, path] { openModel(path); });
  }
  if (recent.isEmpty()) recentMenu_->addAction(tr("(none yet)"))->setEnabled(false);
  recentMenu_->addSeparator();
  QAction* clear = recentMenu_->addAction(tr("&Clear List"));
  clear->setEnabled(!recent.isEmpty());
  connect(clear, &QAction::triggered, this, [this] {
    RecentFiles::clear(kRecentKey);
    rebuildRecentMenu();
  });
}

void MainWindow::updateActions() {
  const bool busy = engine_->isBusy();
  const bool loading = busy && !pendingPath_.isEmpty();
  cancelLoad_->setVisible(loading);
  loadBar_->setVisible(loading);
  if (!loading) loadClock_.invalidate();
  openFile_->setEnabled(!busy);
  openFolder_->setEnabled(!busy);
  recentMenu_->setEnabled(!busy);
  reload_->setEnabled(!busy && !loadedPath_.isEmpty());
  compute_->setEnabled(!busy);
  busyBar_->setVisible(busy && !loading);
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About PosLab"),
                     tr("<b>PosLab %1</b><p>A desktop lab for positional bias in local language models.</p>"
                        "<p>Licensed under the GNU GPL version 3 or later.</p>")
                         .arg(QCoreApplication::applicationVersion()));
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

void MainWindow::onLoadCancelled() {
  const QString name = displayName(pendingPath_);
  pendingPath_.clear();
  panel_->clear();
  updateActions();
  statusBar()->showMessage(tr("Opening %1 was cancelled; no model is loaded.").arg(name), kMessageMs);
  Q_EMIT loadCancelled();
}

void MainWindow::openModelDialog() {
  QList<QPair<QString, QString>> choices;
  for (int i = 0; i < compute_->count(); ++i)
    choices.append({compute_->itemText(i), compute_->itemData(i).toString()});
  auto* dialog = new ModelOpenDialog(recentModels(), choices, compute_->currentData().toString(), this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    const QSignalBlocker block(compute_); // the dialog's choice; opening below loads with it
    compute_->setCurrentIndex(std::max(0, compute_->findData(dialog->compute())));
    QSettings().setValue(kComputeKey, compute_->currentData());
    openModel(dialog->modelPath());
  });
  dialog->open();
}

void MainWindow::connectViews() {
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
  connect(tabs_, &QTabWidget::currentChanged, this, [this] { exportFigure_->setEnabled(currentFigure()); });

  // A checkpoint opened from the Train view becomes the lab's model.
  connect(train_, &TrainPanel::openCheckpoint, this, [this](const QString& folder) {
    openModel(folder);
    showView(QStringLiteral("sweep"));
  });
  connect(train_, &TrainPanel::message, this,
          [this](const QString& text) { statusBar()->showMessage(text, kMessageMs); });

  connect(explorer_, &ExplorerPanel::tokenMapRequested, engine_, &EngineController::tokenMap);
  connect(engine_, &EngineController::tokenMapReady, explorer_, &ExplorerPanel::onTokenMap);

  connect(aggregate_, &AggregatePanel::computeRequested, this,
          [this](const SweepSettings& settings, int examples, QuerySelection query) {
            if (!engine_->aggregate(settings, examples, query))
              return aggregate_->failed(tr("the engine is busy or no model is loaded"));
            aggregate_->setRunning(true);
          });
  connect(aggregate_, &AggregatePanel::cancelRequested, engine_, &EngineController::cancel);
  connect(engine_, &EngineController::aggregateProgress, aggregate_, &AggregatePanel::showProgress);
  connect(engine_, &EngineController::aggregateFinished, this,
          [this](const AttentionMassGrid& grid, bool complete) {
            aggregate_->setRunning(false);
            aggregate_->finished(grid, complete); // shown now, kept when stored() says so
          });
  // Done once the result is in the workspace, so whoever waits for it can reopen it.
  connect(aggregate_, &AggregatePanel::stored, this,
          [this](const QString& id, bool complete, const QString& error) {
            statusBar()->showMessage(id.isEmpty() ? tr("Aggregate not kept: %1").arg(error)
                                                  : tr("Aggregate kept as %1.").arg(id),
                                     kMessageMs);
            Q_EMIT aggregateDone(complete);
          });
  connect(engine_, &EngineController::aggregateFailed, this, [this](const QString& message) {
    aggregate_->setRunning(false);
    aggregate_->failed(message);
    Q_EMIT aggregateDone(false);
  });

  connect(depth_, &DepthPanel::runRequested, this,
          [this](const QVector<SweepSettings>& sweeps, const QStringList& dirs) {
            if (!engine_->runDepth(sweeps, dirs))
              return depth_->failed(tr("the engine is busy or no model is loaded"));
            depth_->setRunning(true);
          });
  connect(depth_, &DepthPanel::cancelRequested, engine_, &EngineController::cancel);
  connect(engine_, &EngineController::depthProgress, depth_, &DepthPanel::showProgress);
  connect(engine_, &EngineController::depthFinished, this,
          [this](const QStringList& dirs, const QString& status) {
            depth_->setRunning(false);
            depth_->finished(dirs, status);
            sweep_->refreshRuns();
            Q_EMIT depthDone(status);
          });
  connect(engine_, &EngineController::depthFailed, this, [this](const QString& message) {
    depth_->setRunning(false);
    depth_->failed(message);
    sweep_->refreshRuns();
    Q_EMIT depthDone("failed");
  });
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
  return BundleSources::collect({sweep_, explorer_, aggregate_, depth_, train_},
                                {loadedPath_, loaded_.device, loaded_.computeDtype}, *fingerprints_, missing);
}

void MainWindow::startBundleExport(const QString& folder) {
  if (!bundleFolder_.isEmpty()) {
    const QString why = tr("%1: another export (%2) is still running").arg(folder, bundleFolder_);
    statusBar()->showMessage(why, kMessageMs);
    Q_EMIT bundleExported(folder, false, why);
    return;
  }
  if (!bundleWatcher_) {
    bundleWatcher_ = new QFutureWatcher<void>(this);
    connect(bundleWatcher_, &QFutureWatcher<void>::finished, this, &MainWindow::continueBundleExport);
    connect(bundleWatcher_, &QFutureWatcher<void>::progressTextChanged, this, [this](const QString& name) {
      statusBar()->showMessage(tr("Export bundle: fingerprinting %1 (%2 of %3)…")
                                   .arg(name)
                                   .arg(bundleWatcher_->progressValue() + 1)
                                   .arg(bundleWatcher_->progressMaximum()));
    });
  }
  bundleFolder_ = folder;
  bundleRounds_ = 0;
  exportBundle_->setEnabled(false);
  continueBundleExport();
}

void MainWindow::continueBundleExport() {
  QVector<FingerprintCache::Request> missing;
  const QVector<BundleFigure> figures = bundleFigures(&missing);
  // What is shown may change while hashing; a few rounds catch up, then the
  // manifest says which fingerprint is missing.
  if (!missing.isEmpty() && bundleRounds_++ < 3) {
    statusBar()->showMessage(
        tr("Export bundle: fingerprinting %n file(s)…", nullptr, static_cast<int>(missing.size())));
    bundleWatcher_->setFuture(FingerprintCache::computeAll(fingerprints_, missing));
    return;
  }
  // One figure per event-loop turn: the window stays live and says how far it is.
  auto* exporter = new BundleExporter(this);
  connect(exporter, &BundleExporter::progress, this, [this](int done, int total, const QString& figure) {
    statusBar()->showMessage(tr("Export bundle: %1 of %2 figures (%3)…").arg(done).arg(total).arg(figure));
  });
  connect(exporter, &BundleExporter::finished, this,
          [this, exporter](bool ok, const QString& why, const QStringList& files) {
            const QString folder = bundleFolder_;
            if (ok)
              statusBar()->showMessage(tr("Exported %1 files to %2.").arg(files.size()).arg(folder),
                                       kMessageMs);
            else
              statusBar()->showMessage(tr("Export failed: %1").arg(why), kMessageMs);
            bundleFolder_.clear();
            exportBundle_->setEnabled(true);
            exporter->deleteLater();
            Q_EMIT bundleExported(folder, ok, why);
          });
  exporter->start(bundleFolder_, figures);
}

bool MainWindow::exportBundle(const QString& folder, QString* error) {
  bool done = false, ok = false;
  QString why;
  QEventLoop loop;
  const auto connection = connect(this, &MainWindow::bundleExported, &loop,
                                  [&](const QString& written, bool success, const QString& reason) {
                                    if (written != folder) return;
                                    done = true;
                                    ok = success;
                                    why = reason;
                                    loop.quit();
                                  });
  startBundleExport(folder);
  if (!done) loop.exec(QEventLoop::ExcludeUserInputEvents);
  disconnect(connection);
  if (error) *error = why;
  return ok;
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
  if (!figure) {
    statusBar()->showMessage(tr("This view has no figure to export."), kMessageMs);
    return;
  }
  const QString stem = figure->plotData().name.isEmpty() ? QStringLiteral("figure") : figure->plotData().name;
  FigureExportDialog dialog(*figure, FigureExportDialog::suggestedPath(stem), this);
  if (dialog.exec() == QDialog::Accepted)
    statusBar()->showMessage(tr("Exported %1.").arg(QDir::toNativeSeparators(dialog.path())), kMessageMs);
}

void MainWindow::chooseBundleFolder() {
  const QString stem = "bundle-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  const QString parent =
      QFileDialog::getExistingDirectory(this, tr("Export bundle into"), sweep_->workspace());
  if (parent.isEmpty()) return;
  connect(
      this, &MainWindow::bundleExported, this,
      [this](const QString&, bool ok, const QString& error) {
        if (!ok) QMessageBox::warning(this, tr("Export bundle"), error);
      },
      Qt::SingleShotConnection);
  startBundleExport(QDir(parent).filePath(stem));
}

} // namespace poslab
