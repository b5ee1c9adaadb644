#pragma once
// File → Export Bundle as the main window runs it: the folder chosen, the
// fingerprints the figures' sources need computed on the pool (the window
// stays responsive, the status bar says what is hashed), then the figures
// drawn and written by BundleExporter one per event-loop turn; exported() says
// how it ended. One export at a time.
#include "app/gui/BundleExporter.h"
#include "app/gui/FingerprintCache.h"

#include <QFutureWatcher>
#include <QObject>
#include <functional>
#include <memory>

class QStatusBar;
class QWidget;

namespace poslab {

class BundleExportController : public QObject {
  Q_OBJECT
public:
  // What to export now; fingerprints not in the cache yet are added to `missing`.
  using Figures = std::function<QVector<BundleFigure>(QVector<FingerprintCache::Request>* missing)>;

  BundleExportController(Figures figures, std::shared_ptr<FingerprintCache> fingerprints,
                         QStatusBar* statusBar, QWidget* window);

  bool isRunning() const { return !folder_.isEmpty(); }
  void start(const QString& folder);
  // start() and a wait for exported() in a local event loop: for scripts and tests.
  bool exportNow(const QString& folder, QString* error = nullptr);
  // Asks for a parent folder (starting in `start`) and exports into a new
  // bundle-<time> folder there; a failure is shown in a message box.
  void chooseFolder(const QString& start);

Q_SIGNALS:
  void runningChanged(bool running);
  // An export started by start() ended (`error` says why when !ok).
  void exported(const QString& folder, bool ok, const QString& error);

private:
  void proceed();

  Figures figures_;
  std::shared_ptr<FingerprintCache> fingerprints_;
  QStatusBar* statusBar_ = nullptr;
  QWidget* window_ = nullptr;
  QFutureWatcher<void>* watcher_ = nullptr;
  QString folder_; // the export in progress ("" when none)
  int rounds_ = 0; // fingerprinting rounds of that export
};

} // namespace poslab
