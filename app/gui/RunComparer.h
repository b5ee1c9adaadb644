#pragma once
// Two sweep runs compared position by position (core's SweepComparison: exact
// McNemar on the records both runs have) for the sweep plot's markers. Reading
// two examples.jsonl files can take a while for large runs, so compare() does
// it on a pool thread and answers with a signal; the newest request wins.
#include "core/sweep/SweepComparison.h"
#include "widgets/PairedComparison.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

namespace poslab {

class RunComparer : public QObject {
  Q_OBJECT
public:
  explicit RunComparer(QObject* parent = nullptr);
  ~RunComparer() override;

  // The positions of `comparison` as the plot's plain type; baselines are left out
  // (they have no position to mark). labelA/labelB: the curves' labels.
  static PairedComparison toPaired(const SweepComparison& comparison, const QString& labelA,
                                   const QString& labelB);
  // Blocking: reads <dir>/examples.jsonl of both runs; labels are the folder names.
  static PairedComparison compareRuns(const QString& dirA, const QString& dirB);

  void compare(const QString& dirA, const QString& dirB);
  bool isRunning() const { return watcher_.isRunning(); }

Q_SIGNALS:
  void compared(const poslab::PairedComparison& comparison);
  void failed(const QString& message);

private:
  struct Outcome {
    PairedComparison comparison;
    QString error;
  };
  QFutureWatcher<Outcome> watcher_;
};

} // namespace poslab
