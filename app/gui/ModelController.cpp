#include "app/gui/ModelController.h"

#include "app/gui/EngineController.h"
#include "app/gui/ModelOpenDialog.h"
#include "app/gui/ProgressText.h"
#include "app/gui/RecentFiles.h"
#include "widgets/ModelInfoPanel.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QThread>
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

ModelController::ModelController(EngineController* engine, ModelInfoPanel* panel, QStatusBar* statusBar,
                                 QWidget* window)
    : QObject(window), engine_(engine), panel_(panel), statusBar_(statusBar), window_(window) {
  openFile_ = new QAction(tr("&Open Model…"), this);
  openFile_->setShortcut(QKeySequence::Open);
  openFile_->setToolTip(tr("Open a .gguf file or a Hugging Face folder, with device, dtype and the memory it "
                           "needs shown before loading (Ctrl+O)"));
  openFile_->setStatusTip(openFile_->toolTip());
  connect(openFile_, &QAction::triggered, this, &ModelController::openModelDialog);

  openFolder_ = new QAction(tr("Open Model &Folder…"), this);
  openFolder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  openFolder_->setToolTip(tr("Open a Hugging Face model folder (config.json + safetensors) (Ctrl+Shift+O)"));
  openFolder_->setStatusTip(openFolder_->toolTip());
  connect(openFolder_, &QAction::triggered, this, &ModelController::chooseModelFolder);

  reload_ = new QAction(tr("&Reload Model"), this);
  reload_->setShortcut(QKeySequence::Refresh);
  reload_->setToolTip(tr("Load the current model again with the chosen device and dtype (F5)"));
  reload_->setStatusTip(reload_->toolTip());
  connect(reload_, &QAction::triggered, this, &ModelController::reloadModel);

  recentMenu_ = new QMenu(tr("Open &Recent"), window);
  recentMenu_->setToolTipsVisible(true);

  computeHolder_ = new QWidget(window);
  auto* row = new QHBoxLayout(computeHolder_);
  row->setContentsMargins(6, 0, 6, 0);
  row->setSpacing(6);
  compute_ = new QComboBox(computeHolder_);
  compute_->setObjectName("computeCombo");
  compute_->setToolTip(tr("Device and number format for the weights; changing it reloads the model. "
                          "bf16 halves the memory and is fast on CPUs with AMX."));
  compute_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  auto* label = new QLabel(tr("&Device"), computeHolder_);
  label->setBuddy(compute_);
  label->setToolTip(compute_->toolTip());
  row->addWidget(label);
  row->addWidget(compute_);
  addComputeChoices(false);
  const QString saved = QSettings().value(kComputeKey, "cpu|f32").toString();
  const int index = compute_->findData(saved);
  compute_->setCurrentIndex(index >= 0 ? index : 0);
  connect(compute_, &QComboBox::currentIndexChanged, this, &ModelController::computeChanged);

  modelLabel_ = new QLabel(window);
  modelLabel_->setToolTip(tr("The model in memory, its device and dtype"));
  busyBar_ = new QProgressBar(window);
  busyBar_->setRange(0, 0);
  busyBar_->setMaximumWidth(120);
  busyBar_->setToolTip(tr("The engine is working"));
  busyBar_->setVisible(false);
  cancelLoad_ = new QPushButton(tr("Cancel loading"), window);
  cancelLoad_->setObjectName("cancelLoadButton");
  cancelLoad_->setToolTip(
      tr("Stop opening the model: the app stays usable and the loaded weights are dropped"));
  cancelLoad_->setVisible(false);
  connect(cancelLoad_, &QPushButton::clicked, engine_, &EngineController::cancel);
  loadBar_ = new QProgressBar(window);
  loadBar_->setObjectName("loadProgressBar");
  loadBar_->setMinimumWidth(300); // "1234.5 / 4567.8 MiB · 89 MiB/s · ETA 0m42s" fits
  loadBar_->setMaximumWidth(400);
  loadBar_->setToolTip(tr("Weights read so far, how fast, and the time left"));
  loadBar_->setVisible(false);
  statusBar_->addPermanentWidget(modelLabel_);
  statusBar_->addPermanentWidget(cancelLoad_);
  statusBar_->addPermanentWidget(loadBar_);
  statusBar_->addPermanentWidget(busyBar_);

  connect(engine_, &EngineController::loadProgress, this, &ModelController::onLoadProgress);
  connect(engine_, &EngineController::modelInspected, this, &ModelController::onInspected);
  connect(engine_, &EngineController::modelUnloaded, this, &ModelController::onUnloaded);
  connect(engine_, &EngineController::modelLoaded, this, &ModelController::onLoaded);
  connect(engine_, &EngineController::loadFailed, this, &ModelController::onLoadFailed);
  connect(engine_, &EngineController::loadCancelled, this, &ModelController::onLoadCancelled);
  connect(engine_, &EngineController::cudaAvailabilityKnown, this, &ModelController::addComputeChoices);
  connect(engine_, &EngineController::busyChanged, this, &ModelController::updateActions);
  rebuildRecentMenu();
  updateActions();
}

void ModelController::showMessage(const QString& text, int ms) {
  statusBar_->showMessage(text, ms);
}

void ModelController::addComputeChoices(bool cuda) {
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

LoadOptions ModelController::loadOptions() const {
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

void ModelController::computeChanged() {
  QSettings().setValue(kComputeKey, compute_->currentData());
  if (!loadedPath_.isEmpty() && !engine_->isBusy()) reloadModel();
}

void ModelController::chooseModelFolder() {
  const QString start = QFileInfo(recentModels().value(0)).absolutePath();
  const QString chosen = QFileDialog::getExistingDirectory(window_, tr("Open Model Folder"), start);
  if (!chosen.isEmpty()) openModel(chosen);
}

void ModelController::reloadModel() {
  if (!loadedPath_.isEmpty()) openModel(loadedPath_);
}

void ModelController::openModel(const QString& path) {
  const QString model = modelPathFor(path);
  if (engine_->isBusy()) {
    showMessage(tr("The engine is busy; cancel or wait before opening %1.").arg(displayName(model)),
                kMessageMs);
    return;
  }
  pendingPath_ = model;
  loadBar_->setRange(0, 0); // busy until the first progress tells the total
  loadBar_->setFormat(QString());
  showMessage(tr("Reading %1…").arg(displayName(model)));
  engine_->loadModel(model, loadOptions());
  updateActions();
}

void ModelController::openModelDialog() {
  QList<QPair<QString, QString>> choices;
  for (int i = 0; i < compute_->count(); ++i)
    choices.append({compute_->itemText(i), compute_->itemData(i).toString()});
  auto* dialog = new ModelOpenDialog(recentModels(), choices, compute_->currentData().toString(), window_);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    const QSignalBlocker block(compute_); // the dialog's choice; opening below loads with it
    compute_->setCurrentIndex(std::max(0, compute_->findData(dialog->compute())));
    QSettings().setValue(kComputeKey, compute_->currentData());
    openModel(dialog->modelPath());
  });
  dialog->open();
}

void ModelController::onInspected(const ModelSummary& estimate) {
  panel_->showSummary(estimate);
  panel_->setState(tr("Loading weights: needs about %1.").arg(bytes(estimate.estimatedBytes())));
  showMessage(tr("Loading %1 (about %2 of memory)…")
                  .arg(displayName(estimate.path), bytes(estimate.estimatedBytes())));
}

void ModelController::onUnloaded() {
  loadedPath_.clear();
  loaded_ = {};
  modelLabel_->clear();
}

void ModelController::onLoaded(const ModelSummary& summary) {
  loadedPath_ = summary.path;
  loaded_ = summary;
  pendingPath_.clear();
  panel_->showSummary(summary);
  modelLabel_->setText(
      tr("%1 · %2 · %3").arg(displayName(summary.path), summary.device, summary.computeDtype));
  modelLabel_->setToolTip(summary.path);
  rememberRecent(summary.path);
  updateActions();
  showMessage(tr("Loaded %1.").arg(displayName(summary.path)), kMessageMs);
  Q_EMIT modelLoaded(summary);
}

void ModelController::onLoadFailed(const QString& message) {
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
  showMessage(tr("Could not open %1: %2").arg(name, message));
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Could not open model"),
                              tr("PosLab could not open %1.").arg(name), QMessageBox::Ok, window_);
  box->setObjectName("loadErrorBox");
  box->setInformativeText(message);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open(); // window-modal, without a nested event loop
}

void ModelController::onLoadProgress(qint64 bytesDone, qint64 bytesTotal) {
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

void ModelController::onLoadCancelled() {
  const QString name = displayName(pendingPath_);
  pendingPath_.clear();
  panel_->clear();
  updateActions();
  showMessage(tr("Opening %1 was cancelled; no model is loaded.").arg(name), kMessageMs);
  Q_EMIT loadCancelled();
}

QStringList ModelController::recentModels() const {
  return RecentFiles::list(kRecentKey);
}

void ModelController::rememberRecent(const QString& path) {
  RecentFiles::remember(kRecentKey, path, kMaxRecent);
  rebuildRecentMenu();
}

void ModelController::rebuildRecentMenu() {
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

void ModelController::updateActions() {
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

} // namespace poslab
