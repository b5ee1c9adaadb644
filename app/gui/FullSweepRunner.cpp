#include "app/gui/FullSweepRunner.h"

#include "app/gui/JobMonitor.h"
#include "core/util/JsonFile.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

namespace poslab {

namespace {

// Copies, not iterators: GCC 12 sees a null dereference in get() through find().
QString text(const nlohmann::json& settings, const char* key) {
  const nlohmann::json value = settings.value(key, nlohmann::json());
  return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

// A non-negative integer setting ("" when absent, null or of another type);
// seeds are 64-bit unsigned.
QString count(const nlohmann::json& settings, const char* key) {
  const nlohmann::json value = settings.value(key, nlohmann::json());
  if (value.is_number_unsigned()) return QString::number(value.get<unsigned long long>());
  return value.is_number_integer() && value.get<long long>() >= 0 ? QString::number(value.get<long long>())
                                                                  : QString();
}

} // namespace

QString FullSweepRunner::folder(const QString& runDir, long long step, int examples) {
  return QDir(runDir).filePath(QStringLiteral("eval/step-%1/full-sweep-%2").arg(step).arg(examples));
}

bool FullSweepRunner::isFinished(const QString& folder) {
  try {
    const nlohmann::json summary =
        JsonFile::readObjectIfPresent(QDir(folder).filePath(QStringLiteral("summary.json")).toStdString());
    return summary.value("status", std::string()) == "finished";
  } catch (const std::exception&) { // damaged: sweep it again (the CLI says what is wrong)
    return false;
  }
}

QStringList FullSweepRunner::arguments(const nlohmann::json& settings, const QString& model,
                                       const QString& out, int examples) {
  // The record-affecting settings are the evaluation's (a sweep resumed in `out`
  // must agree on them), the positions all; one thread: it runs beside the GUI.
  QStringList args{QStringLiteral("sweep"),
                   QStringLiteral("--model"),
                   model,
                   QStringLiteral("--data"),
                   text(settings, "data"),
                   QStringLiteral("--out"),
                   out,
                   QStringLiteral("--positions"),
                   QStringLiteral("all"),
                   QStringLiteral("--limit"),
                   QString::number(examples),
                   QStringLiteral("--threads"),
                   QStringLiteral("1"),
                   QStringLiteral("--quiet")};
  const std::pair<const char*, const char*> texts[] = {{"data_format", "--format"},
                                                       {"task", "--task"},
                                                       {"prompt_template", "--prompt-template"},
                                                       {"chat_template", "--chat-template"},
                                                       {"system", "--system"},
                                                       {"dtype", "--dtype"},
                                                       {"device", "--device"}};
  for (const auto& [key, flag] : texts)
    if (const QString value = text(settings, key); !value.isEmpty()) args << flag << value;
  // 0 is the default of these ("the task's"), not a value to pass on.
  const std::pair<const char*, const char*> counts[] = {{"docs", "--docs"},
                                                        {"max_new_tokens", "--max-new-tokens"},
                                                        {"random_distractors", "--random-distractors"}};
  for (const auto& [key, flag] : counts)
    if (const QString value = count(settings, key); !value.isEmpty() && value != "0") args << flag << value;
  // Seeds: any value, 0 included (a null shuffle seed is no shuffle).
  for (const auto& [key, flag] :
       {std::pair{"shuffle_seed", "--shuffle-seed"}, std::pair{"distractor_seed", "--distractor-seed"}})
    if (const QString value = count(settings, key); !value.isEmpty()) args << flag << value;
  if (settings.value("skip_bad", false)) args << QStringLiteral("--skip-bad");
  return args;
}

bool FullSweepRunner::start(const QString& evalRun, const QStringList& models, const QStringList& folders,
                            int examples, QString* error) {
  if (isRunning()) {
    *error = tr("a sweep at all positions is still running");
    return false;
  }
  nlohmann::json settings;
  try {
    settings = JsonFile::readObject(QDir(evalRun).filePath(QStringLiteral("run.json")).toStdString())
                   .value("settings", nlohmann::json::object());
  } catch (const std::exception& e) {
    *error = QString::fromStdString(e.what());
    return false;
  }
  if (text(settings, "data").isEmpty()) {
    *error = tr("%1: names no held-out data (settings.data)").arg(QDir(evalRun).filePath("run.json"));
    return false;
  }
  error_.clear();
  for (qsizetype i = 0; i < models.size() && i < folders.size(); ++i) {
    if (isFinished(folders[i])) continue; // swept before: read back
    auto* process = new QProcess(this);
    process->setProcessChannelMode(QProcess::MergedChannels);
    ++running_;
    connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
      if ((status != QProcess::NormalExit || code != 0) && error_.isEmpty()) {
        const QStringList lines = QString::fromUtf8(process->readAll()).trimmed().split(QLatin1Char('\n'));
        error_ = tr("poslab-cli sweep failed: %1").arg(lines.value(lines.size() - 1));
      }
      process->deleteLater();
      if (--running_ == 0) Q_EMIT finished(error_.isEmpty(), error_);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError e) {
      if (e != QProcess::FailedToStart) return; // the others end in finished()
      error_ = tr("%1 could not be started").arg(JobMonitor::cliProgram());
      process->deleteLater();
      if (--running_ == 0) Q_EMIT finished(false, error_);
    });
    process->start(JobMonitor::cliProgram(), arguments(settings, models[i], folders[i], examples));
  }
  // Both finished before: said on the next turn, as when they run.
  if (running_ == 0) QTimer::singleShot(0, this, [this] { Q_EMIT finished(true, QString()); });
  return true;
}

} // namespace poslab
