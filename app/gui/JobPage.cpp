#include "app/gui/JobPage.h"

#include "app/gui/BeforeAfterView.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/ProgressText.h"
#include "core/util/CheckpointPins.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/StepSeriesPlot.h"
#include "widgets/SweepPlot.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <cmath>
#include <filesystem>

namespace poslab {

namespace {

// Columns of the KL heatmap: steps are averaged into at most this many bins.
constexpr int kKlBins = 60;

enum CheckpointColumn { Step, Written, Loss, HeldOutMean, HeldOutWorst, Size, Pinned, State, ColumnCount };

QString percentOrDash(double x) {
  return x < 0 ? QStringLiteral("–") : QString::number(100 * x, 'f', 1) + " %";
}

QString bytesText(long long b) {
  return b <= 0 ? QStringLiteral("–") : QLocale().formattedDataSize(b);
}

QString statusColor(JobStatus s) {
  switch (s) {
  case JobStatus::Failed:
  case JobStatus::Dead:
    return QStringLiteral("#c0392b");
  case JobStatus::Finished:
    return QStringLiteral("#1e8449");
  case JobStatus::Queued:
  case JobStatus::Cancelled:
  case JobStatus::Planned:
  case JobStatus::Prepared:
    return QStringLiteral("#7f8c8d");
  default:
    return QStringLiteral("#2471a3");
  }
}

} // namespace

JobPage::JobPage(QWidget* parent) : QWidget(parent), openUrl_(&QDesktopServices::openUrl) {
  auto* layout = new QVBoxLayout(this);
  title_ = new QLabel(this);
  title_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont big = title_->font();
  big.setBold(true);
  title_->setFont(big);
  layout->addWidget(title_);
  auto* line = new QHBoxLayout;
  status_ = new QLabel(this);
  status_->setObjectName("jobStatus");
  line->addWidget(status_);
  progress_ = new QProgressBar(this);
  progress_->setTextVisible(true);
  line->addWidget(progress_, 1);
  speed_ = new QLabel(this);
  line->addWidget(speed_);
  layout->addLayout(line);
  detail_ = new QLabel(this);
  detail_->setWordWrap(true);
  detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(detail_);

  tabs_ = new QTabWidget(this);
  auto* curves = new QWidget;
  auto* grid = new QGridLayout(curves);
  grid->setContentsMargins(0, 0, 0, 0);
  loss_ = new StepSeriesPlot(tr("loss"), curves);
  eval_ = new EvalCurvesPlot(curves);
  lr_ = new StepSeriesPlot(tr("learning rate"), curves);
  lr_->setSmoothing(0);
  lr_->setSmoothingShown(false);
  kl_ = new MatrixHeatmap(curves);
  kl_->setExportName(
      QStringLiteral("kl_by_position"),
      tr("log10 of the mean KL(teacher || student) of the instances with the gold at a position, "
         "per bin of training steps"));
  grid->addWidget(loss_, 0, 0);
  grid->addWidget(eval_, 0, 1);
  klNote_ = new QLabel(curves);
  klNote_->setAlignment(Qt::AlignCenter);
  klNote_->setWordWrap(true);
  klNote_->hide();
  grid->addWidget(kl_, 1, 0);
  grid->addWidget(klNote_, 1, 0);
  grid->addWidget(lr_, 1, 1);
  tabs_->addTab(curves, tr("Curves"));
  beforeAfter_ = new BeforeAfterView(this);
  tabs_->addTab(beforeAfter_, tr("Before / after"));
  for (const auto& [plot, stem] : figures())
    if (auto* host = dynamic_cast<QWidget*>(const_cast<ExportablePlot*>(plot)))
      FigureExportDialog::offerOnRightClick(host, *plot, stem);

  auto* cpPage = new QWidget;
  auto* cpLayout = new QVBoxLayout(cpPage);
  checkpoints_ = new QTableWidget(0, ColumnCount, cpPage);
  checkpoints_->setHorizontalHeaderLabels({tr("Step"), tr("Written"), tr("Loss"), tr("Held-out mean"),
                                           tr("Held-out worst"), tr("Size"), tr("Pinned"), tr("State")});
  checkpoints_->setSelectionBehavior(QAbstractItemView::SelectRows);
  checkpoints_->setSelectionMode(QAbstractItemView::SingleSelection);
  checkpoints_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  checkpoints_->verticalHeader()->hide();
  checkpoints_->setCornerButtonEnabled(false);
  checkpoints_->horizontalHeader()->setStretchLastSection(true);
  cpLayout->addWidget(checkpoints_, 1);
  auto* actions = new QHBoxLayout;
  open_ = new QPushButton(tr("Open in lab"), cpPage);
  open_->setToolTip(tr("Load this checkpoint as the model of the Sweep, Explore and Aggregate views"));
  pin_ = new QPushButton(tr("Pin"), cpPage);
  pin_->setToolTip(tr("A pinned checkpoint is never removed by --keep-checkpoints"));
  delete_ = new QPushButton(tr("Delete…"), cpPage);
  delete_->setToolTip(tr("Remove this checkpoint's folder (asked first; not the one a resume starts from)"));
  showFolder_ = new QPushButton(tr("Show in folder"), cpPage);
  showFolder_->setToolTip(tr("Open the checkpoint's folder in the file manager"));
  export_ = new QPushButton(tr("Export…"), cpPage);
  export_->setToolTip(
      tr("A Hugging Face folder (full runs), or the PEFT adapter or the merged model (LoRA runs)"));
  for (QPushButton* b : {open_, export_, pin_, delete_, showFolder_})
    actions->addWidget(b);
  actions->addStretch();
  cpLayout->addLayout(actions);
  tabs_->addTab(cpPage, tr("Checkpoints"));
  connect(open_, &QPushButton::clicked, this, [this] {
    if (const JobCheckpoint* c = selected())
      Q_EMIT openCheckpoint(
          QDir(QString::fromStdString(job_.runDir)).filePath(QString::fromStdString(c->path)));
  });
  connect(pin_, &QPushButton::clicked, this, &JobPage::pinSelected);
  connect(delete_, &QPushButton::clicked, this, &JobPage::deleteSelected);
  connect(showFolder_, &QPushButton::clicked, this, &JobPage::showSelectedInFolder);
  connect(export_, &QPushButton::clicked, this, &JobPage::exportSelected);
  connect(checkpoints_, &QTableWidget::itemSelectionChanged, this, &JobPage::updateCheckpointActions);

  settings_ = new QPlainTextEdit(this);
  settings_->setReadOnly(true);
  settings_->setLineWrapMode(QPlainTextEdit::NoWrap);
  tabs_->addTab(settings_, tr("Settings"));
  log_ = new QPlainTextEdit(this);
  log_->setReadOnly(true);
  log_->setObjectName("jobLog");
  tabs_->addTab(log_, tr("Log"));
  layout->addWidget(tabs_, 1);
  setSnapshot(JobSnapshot());
}

QVector<QPair<const ExportablePlot*, QString>> JobPage::figures() const {
  return {{loss_, QStringLiteral("training_loss")},
          {eval_, QStringLiteral("heldout_accuracy_by_step")},
          {kl_, QStringLiteral("kl_by_position")},
          {lr_, QStringLiteral("learning_rate")},
          {beforeAfter_->plot(), QStringLiteral("before_after")}};
}

void JobPage::setSnapshot(const JobSnapshot& job) {
  const bool otherRun = job.runDir != shownRun_;
  job_ = job;
  if (otherRun) {
    shownRun_ = job.runDir;
    shownLogLines_ = 0;
    log_->clear();
  }
  updateHeader();
  updateCurves();
  beforeAfter_->setJob(job_);
  updateCheckpoints();
  updateText();
}

void JobPage::updateHeader() {
  const JobSnapshot& j = job_;
  if (j.runDir.empty() && j.id.empty()) {
    title_->setText(tr("No job selected"));
    status_->clear();
    detail_->setText(
        tr("Start one with “New job…”: Pos2Distill on the open model, watched live here. Jobs run as "
           "their own processes: they go on when PosLab closes, and show here again when it opens."));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    speed_->clear();
    return;
  }
  QString method = QString::fromStdString(j.method).toUpper();
  if (method.isEmpty()) method = QString::fromStdString(j.kind);
  title_->setText(tr("%1 · %2 · %3")
                      .arg(QString::fromStdString(j.id), method,
                           j.model.empty() ? tr("model not known yet")
                                           : QDir::toNativeSeparators(QString::fromStdString(j.model))));
  const QString name = QString::fromStdString(JobStatusName::of(j.status));
  status_->setText(QStringLiteral("<b style='color:%1'>%2</b>").arg(statusColor(j.status), name));
  if (j.status == JobStatus::Preparing && j.totalQuestions > 0) {
    progress_->setRange(0, static_cast<int>(j.totalQuestions));
    progress_->setValue(static_cast<int>(std::min(j.preparedQuestions, j.totalQuestions)));
    progress_->setFormat(tr("teacher responses %v / %m"));
  } else {
    progress_->setRange(0, static_cast<int>(std::max<long long>(j.totalSteps, 1)));
    progress_->setValue(static_cast<int>(std::min(j.step, std::max<long long>(j.totalSteps, 1))));
    progress_->setFormat(j.totalSteps > 0 ? tr("step %v / %m") : tr("step %v"));
  }
  QStringList parts;
  if (j.etaS > 0) parts << tr("ETA %1").arg(ProgressText::clock(j.etaS));
  if (j.tokensPerS > 0) parts << tr("%1 tokens/s").arg(QLocale().toString(j.tokensPerS, 'f', 0));
  if (j.elapsedS > 0) parts << tr("%1 training").arg(ProgressText::clock(j.elapsedS));
  if (!j.device.empty()) parts << QString::fromStdString(j.device);
  if (j.ownerPid > 0) parts << tr("pid %1").arg(j.ownerPid);
  speed_->setText(parts.join(QStringLiteral(" · ")));
  QString detail = QString::fromStdString(j.statusDetail);
  if (auto plan = j.runJson.find("memory_plan"); plan != j.runJson.end() && plan->is_object()) {
    const double total = plan->value("total", 0.0), available = plan->value("available", 0.0);
    const QString planText =
        tr("Memory plan: needs about %1 of the %2 %3 has — %4.")
            .arg(QLocale().formattedDataSize(static_cast<qint64>(total)),
                 QLocale().formattedDataSize(static_cast<qint64>(available)),
                 QString::fromStdString(plan->value("device", std::string("the device"))),
                 plan->value("fits", false) ? tr("fits") : tr("does not fit"));
    detail = detail.isEmpty() ? planText : detail + "\n" + planText;
  }
  if (!j.problems.empty())
    detail +=
        (detail.isEmpty() ? "" : "\n") + tr("Unreadable: %1").arg(QString::fromStdString(j.problems.back()));
  detail_->setText(detail);
  const bool bad = j.status == JobStatus::Failed || j.status == JobStatus::Dead;
  detail_->setStyleSheet(bad ? QStringLiteral("color:#c0392b") : QString());
}

void JobPage::updateCurves() {
  QVector<double> steps, loss, lr;
  for (const JobStep& s : job_.steps) {
    steps << static_cast<double>(s.step);
    loss << s.loss;
    lr << s.lr;
  }
  loss_->setSeries(steps, loss);
  lr_->setSeries(steps, lr);
  QVector<EvalCurve> curves;
  for (const JobEval& e : job_.evals) {
    EvalCurve c;
    c.step = e.step;
    for (const JobEvalPosition& p : e.positions) {
      c.positions << p.position;
      c.accuracy << p.accuracy;
      c.n << p.n;
    }
    curves << c;
  }
  eval_->setCurves(curves);
  const nlohmann::json& prompt = job_.runJson.is_object() && job_.runJson.contains("prompt")
                                     ? job_.runJson["prompt"]
                                     : nlohmann::json::object();
  const bool twoHop = prompt.is_object() && prompt.contains("task") && prompt["task"] == "two-hop";
  eval_->setHopPairs(twoHop);

  // Gold position (rows) × bins of steps (columns); a position with no instance
  // in a bin is NaN ("no data"), not 0: R1 leaves the teacher's position out.
  HeatmapMatrix m;
  int positions = 0;
  for (const JobStep& s : job_.steps)
    if (!s.klByPosition.empty()) positions = std::max(positions, s.klByPosition.rbegin()->first + 1);
  const int n = static_cast<int>(job_.steps.size());
  const int bins = std::min(kKlBins, n);
  if (positions > 0 && bins > 0) {
    m.rows = positions;
    m.columns = bins;
    QVector<double> sum(positions * bins, 0), count(positions * bins, 0);
    for (int i = 0; i < n; ++i) {
      const int bin = static_cast<int>(static_cast<long long>(i) * bins / n);
      for (const auto& [pos, kl] : job_.steps[static_cast<size_t>(i)].klByPosition)
        if (pos >= 0 && pos < positions && kl > 0) {
          sum[pos * bins + bin] += kl;
          count[pos * bins + bin] += 1;
        }
    }
    m.values.resize(positions * bins);
    for (int k = 0; k < m.values.size(); ++k)
      m.values[k] = count[k] > 0 ? std::log10(sum[k] / count[k]) : std::nan("");
    for (int b = 0; b < bins; ++b) {
      const long long last =
          job_.steps[static_cast<size_t>(std::min(n - 1, ((b + 1) * n + bins - 1) / bins - 1))].step;
      m.columnLabels << (b % std::max(1, bins / 6) == 0 || b == bins - 1 ? QString::number(last) : QString());
    }
    m.rowTitle = tr("gold position");
    m.columnTitle = tr("step");
    m.valueTitle = tr("log10 mean KL");
  }
  kl_->setMatrix(m);
  // R2, SFT and SeqKD train cross-entropy on a response: the KL by gold
  // position is R1's; an empty heatmap would read as a broken plot.
  const bool noKl = m.rows == 0 && !job_.method.empty() && job_.method != "r1";
  kl_->setVisible(!noKl);
  klNote_->setVisible(noKl);
  if (noKl)
    klNote_->setText(tr("%1 trains cross-entropy on a response under each student prompt: "
                        "there is no KL by gold position to show (R1 logs it).")
                         .arg(QString::fromStdString(job_.method).toUpper()));
}

void JobPage::updateCheckpoints() {
  const long long keep = selected() ? selected()->step : -1;
  checkpoints_->setRowCount(static_cast<int>(job_.checkpoints.size()));
  for (int r = 0; r < static_cast<int>(job_.checkpoints.size()); ++r) {
    const JobCheckpoint& c = job_.checkpoints[static_cast<size_t>(r)];
    QString state = c.pruned    ? tr("pruned (--keep-checkpoints)")
                    : c.damaged ? tr("damaged")
                    : c.latest  ? tr("latest: resume starts here")
                                : tr("on disk");
    const QStringList cells{QString::number(c.step),
                            c.unixTime > 0 ? QDateTime::fromSecsSinceEpoch(static_cast<qint64>(c.unixTime))
                                                 .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                           : QStringLiteral("–"),
                            c.loss < 0 ? QStringLiteral("–") : QString::number(c.loss, 'g', 4),
                            percentOrDash(c.evalMean),
                            percentOrDash(c.evalWorst),
                            bytesText(c.bytes),
                            c.pinned ? tr("yes") : QString(),
                            state};
    for (int col = 0; col < ColumnCount; ++col) {
      auto* item = checkpoints_->item(r, col);
      if (!item) {
        item = new QTableWidgetItem;
        checkpoints_->setItem(r, col, item);
      }
      item->setText(cells[col]);
      item->setData(Qt::UserRole, QVariant::fromValue(c.step));
      item->setForeground(c.pruned ? palette().brush(QPalette::Disabled, QPalette::Text)
                                   : palette().brush(QPalette::Text));
    }
  }
  checkpoints_->resizeColumnsToContents();
  if (keep >= 0) selectCheckpoint(keep);
  updateCheckpointActions();
}

void JobPage::updateCheckpointActions() {
  const JobCheckpoint* c = selected();
  const bool onDisk = c && !c->pruned;
  for (QPushButton* b : {open_, pin_, delete_, showFolder_, export_})
    b->setEnabled(onDisk);
  pin_->setText(c && c->pinned ? tr("Unpin") : tr("Pin"));
}

void JobPage::updateText() {
  // Replaced only when run.json changed: a reader scrolled down keeps the place.
  const QString settings = job_.runJson.empty() ? tr("run.json is not written yet.")
                                                : QString::fromStdString(job_.runJson.dump(2));
  if (settings != settings_->toPlainText()) settings_->setPlainText(settings);
  // Appended, not rewritten: the log keeps its scroll position while it grows.
  for (; shownLogLines_ < job_.log.size(); ++shownLogLines_) {
    const JobLogLine& l = job_.log[shownLogLines_];
    const QString when =
        QDateTime::fromSecsSinceEpoch(static_cast<qint64>(l.unixTime)).toString(QStringLiteral("HH:mm:ss"));
    log_->appendPlainText(
        QStringLiteral("%1  %2%3")
            .arg(when, l.error ? tr("ERROR: ") : QString(), QString::fromStdString(l.text)));
  }
}

const JobCheckpoint* JobPage::selected() const {
  const auto rows = checkpoints_->selectionModel()->selectedRows();
  if (rows.isEmpty()) return nullptr;
  const int r = rows.first().row();
  return r >= 0 && r < static_cast<int>(job_.checkpoints.size()) ? &job_.checkpoints[static_cast<size_t>(r)]
                                                                 : nullptr;
}

QString JobPage::selectedCheckpoint() const {
  const JobCheckpoint* c = selected();
  return c ? QString::fromStdString(c->path) : QString();
}

bool JobPage::selectCheckpoint(long long step) {
  for (int r = 0; r < static_cast<int>(job_.checkpoints.size()); ++r)
    if (job_.checkpoints[static_cast<size_t>(r)].step == step) {
      checkpoints_->selectRow(r);
      return true;
    }
  return false;
}

void JobPage::pinSelected() {
  const JobCheckpoint* c = selected();
  if (!c) return;
  const std::string name = std::filesystem::path(c->path).filename().string();
  try {
    CheckpointPins::set(job_.runDir, name, !c->pinned);
  } catch (const std::exception& e) {
    Q_EMIT message(QString::fromStdString(e.what()));
    return;
  }
  for (JobCheckpoint& row : job_.checkpoints)
    if (row.path == c->path) row.pinned = !row.pinned;
  updateCheckpoints();
}

void JobPage::deleteSelected() {
  const JobCheckpoint* c = selected();
  if (!c) return;
  if (c->latest) {
    QMessageBox::information(
        this, tr("Delete checkpoint"),
        tr("Step %1 is the checkpoint the run resumes from; delete another one.").arg(c->step));
    return;
  }
  const QString folder = QDir(QString::fromStdString(job_.runDir)).filePath(QString::fromStdString(c->path));
  if (QMessageBox::question(this, tr("Delete checkpoint"),
                            tr("Delete the checkpoint of step %1 (%2)? This cannot be undone.")
                                .arg(c->step)
                                .arg(bytesText(c->bytes))) != QMessageBox::Yes)
    return;
  try {
    if (c->pinned)
      CheckpointPins::set(job_.runDir, std::filesystem::path(c->path).filename().string(), false);
  } catch (const std::exception& e) { // a damaged pins.json: say so and delete nothing
    Q_EMIT message(QString::fromStdString(e.what()));
    return;
  }
  if (!QDir(folder).removeRecursively()) {
    Q_EMIT message(tr("%1: could not be deleted completely").arg(QDir::toNativeSeparators(folder)));
    return;
  }
  Q_EMIT message(tr("Deleted %1.").arg(QDir::toNativeSeparators(folder)));
}

void JobPage::showSelectedInFolder() {
  if (const JobCheckpoint* c = selected())
    openUrl_(QUrl::fromLocalFile(
        QDir(QString::fromStdString(job_.runDir)).filePath(QString::fromStdString(c->path))));
}

QStringList JobPage::exportFormats(const QString& checkpoint) {
  if (QFileInfo::exists(QDir(checkpoint).filePath(QStringLiteral("adapter_config.json"))))
    return {QStringLiteral("peft"), QStringLiteral("merged")};
  return {QStringLiteral("hf")};
}

bool JobPage::exportCheckpoint(const QString& checkpoint, const QString& format, const QString& out) {
  if (findChild<QProcess*>(QStringLiteral("export"))) {
    Q_EMIT message(tr("An export is still running."));
    return false;
  }
  auto* process = new QProcess(this);
  process->setObjectName(QStringLiteral("export"));
  process->setProcessChannelMode(QProcess::MergedChannels);
  connect(process, &QProcess::finished, this, [this, process, out](int code, QProcess::ExitStatus status) {
    const bool ok = status == QProcess::NormalExit && code == 0;
    const QStringList lines = QString::fromUtf8(process->readAll()).trimmed().split(QLatin1Char('\n'));
    Q_EMIT message(ok ? tr("Exported %1.").arg(QDir::toNativeSeparators(out))
                      : tr("Export failed: %1").arg(lines.value(lines.size() - 1)));
    process->deleteLater();
    process->setObjectName(QString()); // the next export may start before deleteLater runs
    Q_EMIT exported(out, ok);
  });
  process->start(JobMonitor::cliProgram(), {QStringLiteral("export"), checkpoint, QStringLiteral("--format"),
                                            format, QStringLiteral("--out"), out});
  Q_EMIT message(tr("Exporting %1 as %2…").arg(QFileInfo(checkpoint).fileName(), format));
  return true;
}

void JobPage::exportSelected() {
  const JobCheckpoint* c = selected();
  if (!c) return;
  const QString checkpoint =
      QDir(QString::fromStdString(job_.runDir)).filePath(QString::fromStdString(c->path));
  bool ok = false;
  const QString format = QInputDialog::getItem(this, tr("Export checkpoint"), tr("Format:"),
                                               exportFormats(checkpoint), 0, false, &ok);
  if (!ok) return;
  const QString parent = QFileDialog::getExistingDirectory(this, tr("Export into"), QDir::homePath());
  if (parent.isEmpty()) return;
  exportCheckpoint(
      checkpoint, format,
      QDir(parent).filePath(
          QStringLiteral("%1-step-%2-%3").arg(QString::fromStdString(job_.id)).arg(c->step).arg(format)));
}

} // namespace poslab
