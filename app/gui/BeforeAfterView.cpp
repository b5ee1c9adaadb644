#include "app/gui/BeforeAfterView.h"

#include "app/gui/AttentionMatrixFile.h"
#include "app/gui/FullSweepRunner.h"
#include "app/gui/JobMonitor.h"
#include "app/gui/RunComparer.h"
#include "app/gui/SweepCurves.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/SweepPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace poslab {

namespace {

const QString kBase = QStringLiteral("base (step 0)");

QString afterLabel(long long step) {
  return QStringLiteral("step %1").arg(step);
}

struct Row {
  double mean = 0, worst = 1, best = 0;
  int worstPosition = 0;
  int n = 0;
};

Row summarise(const SweepCurve& c) {
  Row r;
  for (const SweepPoint& p : c.points) {
    r.mean += p.accuracy / static_cast<double>(c.points.size());
    if (p.accuracy < r.worst) {
      r.worst = p.accuracy;
      r.worstPosition = p.position;
    }
    r.best = std::max(r.best, p.accuracy);
    r.n = std::max(r.n, p.n);
  }
  return r;
}

QString percent(double x) {
  return QString::number(100 * x, 'f', 1) + " %";
}
QString points(double x) {
  return (x >= 0 ? "+" : "") + QString::number(100 * x, 'f', 1) + " pp";
}

} // namespace

BeforeAfterView::BeforeAfterView(QWidget* parent) : QWidget(parent) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  inner_ = new QTabWidget(this);
  outer->addWidget(inner_);
  auto* accuracyPage = new QWidget;
  auto* layout = new QVBoxLayout(accuracyPage);
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("After"), this));
  step_ = new QComboBox(accuracyPage);
  step_->setToolTip(tr("The evaluated step compared with the base model"));
  top->addWidget(step_);
  note_ = new QLabel(this);
  note_->setWordWrap(true);
  top->addWidget(note_, 1);
  layout->addLayout(top);
  auto* fullRow = new QHBoxLayout;
  fullSweep_ = new QPushButton(tr("Sweep this checkpoint vs base at all positions"), accuracyPage);
  fullSweep_->setToolTip(tr("The job evaluates at a few gold positions; this sweeps the base and the after "
                            "step's checkpoint at every one (poslab-cli sweep in the background, on the "
                            "job's held-out data and prompt settings; kept in the run's eval folders)"));
  fullRow->addWidget(fullSweep_);
  fullRow->addWidget(new QLabel(tr("over"), accuracyPage));
  fullExamples_ = new QSpinBox(accuracyPage);
  fullExamples_->setRange(1, 100000);
  fullExamples_->setValue(100);
  fullExamples_->setSuffix(tr(" examples"));
  fullExamples_->setToolTip(tr("The first held-out examples, each at every gold position"));
  fullRow->addWidget(fullExamples_);
  allPositions_ = new QCheckBox(tr("Show all positions"), accuracyPage);
  allPositions_->setToolTip(tr("Compare the sweeps at all positions instead of the job's own evaluation "
                               "(once the after step is swept at all positions over these examples)"));
  fullRow->addWidget(allPositions_);
  fullRow->addStretch(1);
  layout->addLayout(fullRow);
  // A line of its own under the button row: squeezed beside it, the folders'
  // names broke at their hyphens over three lines. Rich text so that each
  // folder stays whole (<nobr>); selectable so that it can be copied.
  fullNote_ = new QLabel(accuracyPage);
  fullNote_->setTextFormat(Qt::RichText);
  fullNote_->setWordWrap(true);
  fullNote_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  fullNote_->hide();
  layout->addWidget(fullNote_);
  auto* split = new QHBoxLayout;
  plot_ = new SweepPlot(this);
  split->addWidget(plot_, 2);
  // The paper's Table 1 columns as rows, so the three runs fit side by side.
  table_ = new QTableWidget(5, 3, this);
  table_->setVerticalHeaderLabels({tr("Mean"), tr("Worst"), tr("Worst at"), tr("Gap"), tr("n")});
  table_->setHorizontalHeaderLabels({tr("base"), tr("after"), tr("change")});
  table_->verticalHeaderItem(3)->setToolTip(tr("Best position's accuracy minus the worst's"));
  table_->verticalHeaderItem(4)->setToolTip(tr("Held-out examples per position"));
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setCornerButtonEnabled(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->setMinimumWidth(290);
  split->addWidget(table_, 1);
  layout->addLayout(split, 1);
  inner_->addTab(accuracyPage, tr("Accuracy"));

  auto* massPage = new QWidget;
  auto* massLayout = new QVBoxLayout(massPage);
  auto* massRow = new QHBoxLayout;
  massRow->addWidget(new QLabel(tr("Attention mass (Fig. 7) over"), this));
  attentionExamples_ = new QSpinBox(this);
  attentionExamples_->setRange(1, 100000);
  attentionExamples_->setValue(10);
  attentionExamples_->setSuffix(tr(" examples"));
  attentionExamples_->setToolTip(tr("Held-out examples averaged (each at every gold position)"));
  massRow->addWidget(attentionExamples_);
  attention_ = new QPushButton(tr("Compute"), this);
  attention_->setToolTip(
      tr("Base and the after step's checkpoint, each by poslab-cli attention --aggregate in the "
         "background; kept in the run's eval folders"));
  massRow->addWidget(attention_);
  attentionNote_ = new QLabel(this);
  attentionNote_->setWordWrap(true);
  massRow->addWidget(attentionNote_, 1);
  massLayout->addLayout(massRow);
  auto* masses = new QHBoxLayout;
  baseMass_ = new AttentionMassHeatmap(this);
  afterMass_ = new AttentionMassHeatmap(this);
  for (auto [heatmap, title] :
       {std::pair{baseMass_, &baseMassTitle_}, std::pair{afterMass_, &afterMassTitle_}}) {
    auto* column = new QVBoxLayout;
    *title = new QLabel(this);
    (*title)->setAlignment(Qt::AlignCenter);
    column->addWidget(*title);
    column->addWidget(heatmap, 1);
    masses->addLayout(column);
  }
  massLayout->addLayout(masses, 1);
  inner_->addTab(massPage, tr("Attention mass (Fig. 7)"));
  connect(attention_, &QPushButton::clicked, this, [this] { computeAttention(attentionExamples_->value()); });
  comparer_ = new RunComparer(this);
  connect(comparer_, &RunComparer::compared, this, [this](PairedComparison c) {
    c.runA = kBase; // the curves' labels, not the folders' names (both are step-N)
    c.runB = afterLabel(afterStep());
    comparison_ = c;
    plot_->setComparison(c);
    QStringList better, worse;
    for (const PairedPositionTest& t : c.positions)
      if (t.pValue < c.alpha) (t.direction > 0 ? better : worse) << QString::number(t.position + 1);
    const QString scope =
        showsAllPositions()
            ? tr("Every gold position, the first %1 held-out examples.").arg(fullExamples_->value())
            : tr("The job's held-out evaluation.");
    note_->setText(tr("%1 McNemar p < %2 on the paired examples: better at %3; worse at %4.")
                       .arg(scope)
                       .arg(c.alpha)
                       .arg(better.isEmpty() ? tr("none") : better.join(", "),
                            worse.isEmpty() ? tr("none") : worse.join(", ")));
    Q_EMIT comparisonShown();
  });
  connect(comparer_, &RunComparer::failed, this, [this](const QString& why) { note_->setText(why); });
  connect(step_, &QComboBox::currentIndexChanged, this, [this] { show(afterStep()); });

  fullRunner_ = new FullSweepRunner(this);
  connect(fullSweep_, &QPushButton::clicked, this, [this] { sweepAllPositions(fullExamples_->value()); });
  connect(allPositions_, &QCheckBox::toggled, this, [this](bool on) {
    wantAll_ = on;
    showSweeps();
  });
  // Another count of examples names other folders: shown if those are swept.
  connect(fullExamples_, &QSpinBox::valueChanged, this, [this] {
    const bool was = showsAllPositions();
    updateFullSweepBox();
    if (was || showsAllPositions()) showSweeps();
  });
  connect(fullRunner_, &FullSweepRunner::finished, this, [this](bool ok, const QString& error) {
    if (ok) {
      const QDir run(QString::fromStdString(job_.runDir));
      auto whole = [&run](const QString& folder) {
        return QStringLiteral("<nobr>%1</nobr>").arg(run.relativeFilePath(folder).toHtmlEscaped());
      };
      fullNote_->setText(tr("Kept in %1 and %2.").arg(whole(sweeping_.value(0)), whole(sweeping_.value(1))));
      fullNote_->setToolTip(QDir::toNativeSeparators(sweeping_.value(0)) + QLatin1Char('\n') +
                            QDir::toNativeSeparators(sweeping_.value(1)));
      fullNote_->show();
    } else {
      setFullNote(error);
    }
    wantAll_ = wantAll_ || ok;
    showSweeps();
    Q_EMIT fullSweepDone(ok, error);
  });
}

long long BeforeAfterView::afterStep() const {
  return step_->currentData().toLongLong();
}

bool BeforeAfterView::showStep(long long step) {
  const int i = step_->findData(step);
  if (i < 0) return false;
  step_->setCurrentIndex(i);
  return true;
}

void BeforeAfterView::setJob(const JobSnapshot& job) {
  const bool otherRun = job.runDir != job_.runDir;
  job_ = job;
  // The job's own evaluation's count of examples, once run.json tells it, unless
  // another count was chosen for this job; its evaluation is shown first.
  const nlohmann::json none, distill = job.runJson.is_object() ? job.runJson.value("distill", none) : none;
  const nlohmann::json count = distill.is_object() ? distill.value("eval_examples", none) : none;
  const int examples = count.is_number_integer() ? count.get<int>() : 100;
  if (otherRun || (examples != jobExamples_ && fullExamples_->value() == jobExamples_)) {
    const QSignalBlocker block(fullExamples_);
    fullExamples_->setValue(examples);
  }
  jobExamples_ = examples;
  if (otherRun) wantAll_ = false;
  QList<long long> steps;
  bool hasBase = false;
  for (const JobEval& e : job.evals) {
    if (e.step > 0) steps << e.step;
    hasBase = hasBase || e.step == 0;
  }
  if (!hasBase) steps.clear();
  QList<long long> shown;
  for (int i = 0; i < step_->count(); ++i)
    shown << step_->itemData(i).toLongLong();
  if (shown == steps && !otherRun) return;
  const long long keep = otherRun ? -1 : afterStep();
  const bool wasNewest = shown.isEmpty() || keep == shown.back();
  {
    const QSignalBlocker block(step_);
    step_->clear();
    for (long long s : steps)
      step_->addItem(afterLabel(s), s);
    // Follows the newest evaluation unless an earlier one was chosen.
    int index = step_->count() - 1;
    if (!wasNewest && step_->findData(keep) >= 0) index = step_->findData(keep);
    step_->setCurrentIndex(index);
  }
  show(afterStep());
}

void BeforeAfterView::show(long long) {
  if (attentionRunning_ == 0) { // another step: the attention mass shown was the last step's
    baseMass_->setMatrix({});
    afterMass_->setMatrix({});
    baseMassTitle_->clear();
    afterMassTitle_->clear();
    attentionNote_->clear();
  }
  if (!fullRunner_->isRunning()) fullNote_->clear();
  showSweeps();
}

void BeforeAfterView::showSweeps() {
  plot_->clear();
  comparison_ = PairedComparison();
  baseRun_.clear();
  afterRun_.clear();
  updateFullSweepBox();
  const long long step = afterStep();
  QStringList dirs{evalFolder(0), step > 0 ? evalFolder(step) : QString()};
  if (dirs[0].isEmpty() || dirs[1].isEmpty()) {
    note_->setText(tr("The job has no held-out evaluation after its base yet (--eval-data, --eval-every)."));
    fillTable();
    return;
  }
  if (showsAllPositions()) dirs = fullSweepFolders();
  QString error;
  auto a = SweepCurves::fromRunFolder(dirs[0], &error);
  auto b = a ? SweepCurves::fromRunFolder(dirs[1], &error) : std::nullopt;
  if (!a || !b) {
    note_->setText(error);
    fillTable();
    return;
  }
  a->label = kBase;
  b->label = afterLabel(step);
  plot_->setHopPairs(a->hopPairs);
  plot_->setCurve(*a);
  plot_->setCurve(*b);
  baseRun_ = dirs[0];
  afterRun_ = dirs[1];
  note_->setText(tr("Comparing…"));
  fillTable();
  comparer_->compare(baseRun_, afterRun_);
}

QString BeforeAfterView::evalFolder(long long step) const {
  for (const JobEval& e : job_.evals)
    if (e.step == step)
      return QDir(QString::fromStdString(job_.runDir)).filePath(QString::fromStdString(e.path));
  return {};
}

QStringList BeforeAfterView::fullSweepFolders() const {
  if (job_.runDir.empty() || afterStep() <= 0) return {};
  const QString run = QString::fromStdString(job_.runDir);
  return {FullSweepRunner::folder(run, 0, fullExamples_->value()),
          FullSweepRunner::folder(run, afterStep(), fullExamples_->value())};
}

bool BeforeAfterView::showsAllPositions() const {
  return allPositions_->isChecked();
}

void BeforeAfterView::updateFullSweepBox() {
  const QStringList folders = fullSweepFolders();
  const bool swept = folders.size() == 2 && FullSweepRunner::isFinished(folders[0]) &&
                     FullSweepRunner::isFinished(folders[1]);
  const QSignalBlocker block(allPositions_);
  allPositions_->setEnabled(swept);
  allPositions_->setChecked(swept && wantAll_);
  fullSweep_->setEnabled(!fullRunner_->isRunning() && afterStep() > 0);
}

void BeforeAfterView::fillTable() {
  for (int r = 0; r < table_->rowCount(); ++r)
    for (int c = 0; c < table_->columnCount(); ++c) {
      auto* item = new QTableWidgetItem;
      item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
      table_->setItem(r, c, item);
    }
  table_->setHorizontalHeaderItem(
      1, new QTableWidgetItem(baseRun_.isEmpty() ? tr("after") : afterLabel(afterStep())));
  if (baseRun_.isEmpty()) return;
  const Row before = summarise(plot_->curve(kBase)), now = summarise(plot_->curve(afterLabel(afterStep())));
  int c = 0;
  for (const Row& row : {before, now}) {
    table_->item(0, c)->setText(percent(row.mean));
    table_->item(1, c)->setText(percent(row.worst));
    table_->item(2, c)->setText(QString::number(row.worstPosition + 1));
    table_->item(3, c)->setText(percent(row.best - row.worst));
    table_->item(4, c)->setText(QString::number(row.n));
    ++c;
  }
  table_->item(0, 2)->setText(points(now.mean - before.mean));
  table_->item(1, 2)->setText(points(now.worst - before.worst));
  table_->item(3, 2)->setText(points((now.best - now.worst) - (before.best - before.worst)));
}

QString BeforeAfterView::modelAt(long long step, QString* why) const {
  const QDir run(QString::fromStdString(job_.runDir));
  if (step == 0) {
    const auto model = job_.runJson.find("model");
    const QString path = model != job_.runJson.end() && model->is_object()
                             ? QString::fromStdString(model->value("path", std::string()))
                             : QString();
    if (path.isEmpty()) *why = tr("run.json names no model");
    return path;
  }
  const QString checkpoint =
      run.filePath(QStringLiteral("checkpoints/step-%1").arg(step, 6, 10, QLatin1Char('0')));
  if (QFileInfo::exists(checkpoint + "/config.json") ||
      QFileInfo::exists(checkpoint + "/adapter_config.json"))
    return checkpoint;
  *why =
      tr("the checkpoint of step %1 was pruned (--keep-checkpoints); pin checkpoints to keep them").arg(step);
  return {};
}

void BeforeAfterView::sweepAllPositions(int examples) {
  if (fullRunner_->isRunning()) return;
  // The job's evaluation of the base: its settings are the sweeps' (same prompts, paired examples).
  const QString evalRun = evalFolder(0);
  QString why;
  if (evalRun.isEmpty() || afterStep() <= 0)
    why = tr("The job has no held-out evaluation after its base yet (--eval-data, --eval-every).");
  const QStringList models{why.isEmpty() ? modelAt(0, &why) : QString(),
                           why.isEmpty() ? modelAt(afterStep(), &why) : QString()};
  {
    const QSignalBlocker block(fullExamples_);
    fullExamples_->setValue(examples);
  }
  sweeping_ = fullSweepFolders();
  if (!why.isEmpty() || !fullRunner_->start(evalRun, models, sweeping_, examples, &why)) {
    setFullNote(why);
    Q_EMIT fullSweepDone(false, why);
    return;
  }
  fullSweep_->setEnabled(false);
  setFullNote(tr("Sweeping the base and step %1 at every gold position over %2 examples (poslab-cli "
                 "sweep in the background)…")
                  .arg(afterStep())
                  .arg(examples));
}

void BeforeAfterView::setFullNote(const QString& plain) {
  fullNote_->setText(plain.toHtmlEscaped());
  fullNote_->setToolTip(QString());
  fullNote_->setVisible(!plain.isEmpty());
}

void BeforeAfterView::computeAttention(int examples) {
  if (attentionRunning_ > 0 || baseRun_.isEmpty()) return;
  QString why;
  const QString models[2] = {modelAt(0, &why), modelAt(afterStep(), &why)};
  if (!why.isEmpty()) {
    attentionNote_->setText(why);
    Q_EMIT attentionShown(false);
    return;
  }
  // The prompts the job evaluated on: its held-out data and prompt settings.
  const nlohmann::json& r = job_.runJson;
  const nlohmann::json prompt = r.value("prompt", nlohmann::json::object());
  const nlohmann::json distill = r.value("distill", nlohmann::json::object());
  const QString heldOut = QString::fromStdString(distill.value("eval_data", std::string()));
  // Beside the job's evaluation of each, whichever sweeps are compared.
  attentionFiles_ = {
      QDir(evalFolder(0)).filePath(QStringLiteral("attention-mass-%1.json").arg(examples)),
      QDir(evalFolder(afterStep())).filePath(QStringLiteral("attention-mass-%1.json").arg(examples))};
  attention_->setEnabled(false);
  inner_->setCurrentIndex(1);
  for (int i = 0; i < 2; ++i) {
    if (QFileInfo::exists(attentionFiles_[i])) continue; // computed before: read back
    QStringList args{QStringLiteral("attention"),  QStringLiteral("--aggregate"),
                     QStringLiteral("--model"),    models[i],
                     QStringLiteral("--data"),     heldOut,
                     QStringLiteral("--examples"), QString::number(examples),
                     QStringLiteral("--threads"),  QStringLiteral("1"),
                     QStringLiteral("--out"),      attentionFiles_[i]};
    if (prompt.contains("docs")) args << QStringLiteral("--docs") << QString::number(prompt.value("docs", 0));
    if (prompt.contains("prompt_template"))
      args << QStringLiteral("--prompt-template")
           << QString::fromStdString(prompt.value("prompt_template", std::string()));
    if (prompt.contains("chat_template"))
      args << QStringLiteral("--chat-template")
           << QString::fromStdString(prompt.value("chat_template", std::string()));
    auto* process = new QProcess(this);
    process->setProcessChannelMode(QProcess::MergedChannels);
    ++attentionRunning_;
    connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus status) {
      if (status != QProcess::NormalExit || code != 0) {
        const QStringList lines = QString::fromUtf8(process->readAll()).trimmed().split(QLatin1Char('\n'));
        attentionNote_->setText(tr("poslab-cli attention failed: %1").arg(lines.value(lines.size() - 1)));
      }
      process->deleteLater();
      if (--attentionRunning_ == 0) attentionFinished();
    });
    process->start(JobMonitor::cliProgram(), args);
  }
  attentionNote_->setText(tr("Computing the attention mass of %1 examples × %2 positions, base and step %3…")
                              .arg(examples)
                              .arg(prompt.value("docs", 0))
                              .arg(afterStep()));
  if (attentionRunning_ == 0) attentionFinished();
}

void BeforeAfterView::attentionFinished() {
  attention_->setEnabled(true);
  QString error;
  const auto base = AttentionMatrixFile::read(attentionFiles_.value(0), &error);
  const auto after = base ? AttentionMatrixFile::read(attentionFiles_.value(1), &error) : std::nullopt;
  if (!base || !after) {
    if (attentionNote_->text().startsWith(tr("Computing"))) attentionNote_->setText(error);
    Q_EMIT attentionShown(false);
    return;
  }
  baseMass_->setMatrix(*base);
  afterMass_->setMatrix(*after);
  baseMassTitle_->setText(kBase);
  afterMassTitle_->setText(afterLabel(afterStep()));
  attentionNote_->setText(
      tr("Left: base (step 0). Right: step %1. Same examples and prompts.").arg(afterStep()));
  Q_EMIT attentionShown(true);
}

} // namespace poslab
