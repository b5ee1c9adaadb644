#include "app/gui/BundleExportController.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFileDialog>
#include <QMessageBox>
#include <QStatusBar>

namespace poslab {

namespace {
constexpr int kMessageMs = 8000;
} // namespace

BundleExportController::BundleExportController(Figures figures,
                                               std::shared_ptr<FingerprintCache> fingerprints,
                                               QStatusBar* statusBar, QWidget* window)
    : QObject(window), figures_(std::move(figures)), fingerprints_(std::move(fingerprints)),
      statusBar_(statusBar), window_(window) {
  watcher_ = new QFutureWatcher<void>(this);
  connect(watcher_, &QFutureWatcher<void>::finished, this, &BundleExportController::proceed);
  connect(watcher_, &QFutureWatcher<void>::progressTextChanged, this, [this](const QString& name) {
    statusBar_->showMessage(tr("Export bundle: fingerprinting %1 (%2 of %3)…")
                                .arg(name)
                                .arg(watcher_->progressValue() + 1)
                                .arg(watcher_->progressMaximum()));
  });
}

void BundleExportController::start(const QString& folder) {
  if (isRunning()) {
    const QString why = tr("%1: another export (%2) is still running").arg(folder, folder_);
    statusBar_->showMessage(why, kMessageMs);
    Q_EMIT exported(folder, false, why);
    return;
  }
  folder_ = folder;
  rounds_ = 0;
  Q_EMIT runningChanged(true);
  proceed();
}

void BundleExportController::proceed() {
  QVector<FingerprintCache::Request> missing;
  const QVector<BundleFigure> figures = figures_(&missing);
  // What is shown may change while hashing; a few rounds catch up, then the
  // manifest says which fingerprint is missing.
  if (!missing.isEmpty() && rounds_++ < 3) {
    statusBar_->showMessage(
        tr("Export bundle: fingerprinting %n file(s)…", nullptr, static_cast<int>(missing.size())));
    watcher_->setFuture(FingerprintCache::computeAll(fingerprints_, missing));
    return;
  }
  // One figure per event-loop turn: the window stays live and says how far it is.
  auto* exporter = new BundleExporter(this);
  connect(exporter, &BundleExporter::progress, this, [this](int done, int total, const QString& figure) {
    statusBar_->showMessage(tr("Export bundle: %1 of %2 figures (%3)…").arg(done).arg(total).arg(figure));
  });
  connect(exporter, &BundleExporter::finished, this,
          [this, exporter](bool ok, const QString& why, const QStringList& files) {
            const QString folder = folder_;
            if (ok)
              statusBar_->showMessage(tr("Exported %1 files to %2.").arg(files.size()).arg(folder),
                                      kMessageMs);
            else
              statusBar_->showMessage(tr("Export failed: %1").arg(why), kMessageMs);
            folder_.clear();
            exporter->deleteLater();
            Q_EMIT runningChanged(false);
            Q_EMIT exported(folder, ok, why);
          });
  exporter->start(folder_, figures);
}

bool BundleExportController::exportNow(const QString& folder, QString* error) {
  bool done = false, ok = false;
  QString why;
  QEventLoop loop;
  const auto connection = connect(this, &BundleExportController::exported, &loop,
                                  [&](const QString& written, bool success, const QString& reason) {
                                    if (written != folder) return;
                                    done = true;
                                    ok = success;
                                    why = reason;
                                    loop.quit();
                                  });
  start(folder);
  if (!done) loop.exec(QEventLoop::ExcludeUserInputEvents);
  disconnect(connection);
  if (error) *error = why;
  return ok;
}

void BundleExportController::chooseFolder(const QString& start) {
  const QString stem = "bundle-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  const QString parent = QFileDialog::getExistingDirectory(window_, tr("Export bundle into"), start);
  if (parent.isEmpty()) return;
  connect(
      this, &BundleExportController::exported, this,
      [this](const QString&, bool ok, const QString& error) {
        if (!ok) QMessageBox::warning(window_, tr("Export bundle"), error);
      },
      Qt::SingleShotConnection);
  this->start(QDir(parent).filePath(stem));
}

} // namespace poslab
