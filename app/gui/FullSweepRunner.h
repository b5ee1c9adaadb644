#pragma once
// "Sweep this checkpoint vs base at all positions" for a training job: a job
// evaluates at a few gold positions only (--eval-positions), so this sweeps
// the base model and a step's checkpoint at every gold position, each as a
// `poslab-cli sweep` process in the background, on the job's held-out data with
// the settings of the job's own evaluation (eval/step-0's run.json: task,
// documents, prompt and chat template, answer length, dtype, distractors) and
// its first N examples: the two runs are paired example by example. Each is
// kept beside the job's evaluation of that step, eval/step-0/full-sweep-N/ and
// eval/step-S/full-sweep-N/, and not swept again once finished; an unfinished
// one resumes.
#include <QObject>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>

namespace poslab {

class FullSweepRunner : public QObject {
  Q_OBJECT
public:
  explicit FullSweepRunner(QObject* parent = nullptr) : QObject(parent) {}

  // <runDir>/eval/step-<step>/full-sweep-<examples>.
  static QString folder(const QString& runDir, long long step, int examples);
  // Whether the sweep in `folder` ran to its end (its summary.json says so).
  static bool isFinished(const QString& folder);
  // The command line's arguments: `model` swept at all positions into `out` with
  // the evaluation's `settings` (a sweep run.json's "settings") over `examples` examples.
  static QStringList arguments(const nlohmann::json& settings, const QString& model, const QString& out,
                               int examples);

  // Sweeps each model into its folder unless already finished there (models and
  // folders: base first, then the checkpoint); `evalRun` is a sweep folder of the
  // job's evaluation, whose settings are reused. False with `error` when nothing
  // could start; finished() follows a true return.
  bool start(const QString& evalRun, const QStringList& models, const QStringList& folders, int examples,
             QString* error);
  bool isRunning() const { return running_ > 0; }

Q_SIGNALS:
  // Both sweeps are done (`error`: the first failure's last line, "" when ok).
  void finished(bool ok, const QString& error);

private:
  int running_ = 0;
  QString error_;
};

} // namespace poslab
