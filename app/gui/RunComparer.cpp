#include "app/gui/RunComparer.h"

#include "core/util/Error.h"

#include <QDir>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>

namespace poslab {

RunComparer::RunComparer(QObject* parent) : QObject(parent) {
  qRegisterMetaType<PairedComparison>();
  connect(&watcher_, &QFutureWatcher<Outcome>::finished, this, [this] {
    if (watcher_.isCanceled()) return;
    const Outcome outcome = watcher_.result();
    if (outcome.error.isEmpty())
      Q_EMIT compared(outcome.comparison);
    else
      Q_EMIT failed(outcome.error);
  });
}

// The pool thread only reads files; waiting for it keeps it from outliving us.
RunComparer::~RunComparer() {
  watcher_.waitForFinished();
}

PairedComparison RunComparer::toPaired(const SweepComparison& comparison, const QString& labelA,
                                       const QString& labelB) {
  PairedComparison out;
  out.runA = labelA;
  out.runB = labelB;
  for (const PositionComparison& row : comparison.rows) {
    if (!row.position) continue;
    PairedPositionTest t;
    t.position = static_cast<int>(*row.position);
    t.pValue = row.test.pValue;
    t.onlyA = static_cast<int>(row.test.b);
    t.onlyB = static_cast<int>(row.test.c);
    t.direction = t.onlyB > t.onlyA ? 1 : t.onlyB < t.onlyA ? -1 : 0;
    out.positions << t;
  }
  return out;
}

PairedComparison RunComparer::compareRuns(const QString& dirA, const QString& dirB) {
  const SweepComparison c = SweepComparison::ofRuns(QDir(dirA).absolutePath().toStdString(),
                                                    QDir(dirB).absolutePath().toStdString());
  return toPaired(c, QFileInfo(dirA).fileName(), QFileInfo(dirB).fileName());
}

void RunComparer::compare(const QString& dirA, const QString& dirB) {
  if (watcher_.isRunning()) watcher_.cancel(); // its result is dropped; the newest request wins
  watcher_.setFuture(QtConcurrent::run([dirA, dirB] {
    Outcome out;
    try {
      out.comparison = compareRuns(dirA, dirB);
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }));
}

} // namespace poslab
