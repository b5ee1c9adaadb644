#include "app/gui/SweepPanel.h"

#include "app/gui/DatasetDialog.h"
#include "app/gui/ProgressText.h"
#include "app/gui/RecentFiles.h"
#include "app/gui/RunComparer.h"
#include "app/gui/SetupHint.h"
#include "app/gui/SweepCurves.h"
#include "app/gui/WorkspaceId.h"
#include "core/data/DatasetLoader.h"
#include "core/data/GoldPlacement.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/SweepPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

namespace poslab {

namespace {

const char* const kRecentDataKey = "recentData";
constexpr int kMaxRecentData = 8;

} // namespace

SweepPanel::SweepPanel(QWidget* parent) : QWidget(parent) {
  data_ = new QLineEdit;
  data_->setPlaceholderText(tr("QA, KV or PosLab JSONL (.jsonl, .jsonl.gz)"));
  data_->setToolTip(tr("The dataset to sweep: lost-in-the-middle QA or KV files, or PosLab's own JSONL"));
  connect(data_, &QLineEdit::textChanged, this, &SweepPanel::updateButtons);
  connect(data_, &QLineEdit::editingFinished, this, &SweepPanel::updatePositionCount);
  auto* browse = new QPushButton(tr("Open…"));
  browse->setToolTip(tr("Choose the dataset, its task, documents per prompt and templates (Ctrl+D)"));
  connect(browse, &QPushButton::clicked, this, &SweepPanel::openDatasetDialog);
  datasetInfo_ = new QLabel;
  datasetInfo_->setWordWrap(true);
  datasetInfo_->setToolTip(tr("How prompts are made from the dataset (File → Open Dataset… changes it)"));
  auto* dataRow = new QHBoxLayout;
  dataRow->addWidget(data_, 1);
  dataRow->addWidget(browse);

  docs_ = new QSpinBox;
  docs_->setRange(0, 1000);
  docs_->setSpecialValueText(tr("default"));
  docs_->setToolTip(tr("Documents (or KV pairs) per prompt, the gold among them; default: the model's task, "
                       "else every document of the example"));
  positions_ = new QLineEdit("all");
  positions_->setToolTip(tr("Gold positions to sweep, 0-based: all, or a list such as 0,4,9"));
  limit_ = new QSpinBox;
  limit_->setRange(0, 1'000'000);
  limit_->setValue(50);
  limit_->setSpecialValueText(tr("all"));
  limit_->setToolTip(tr("Sweep only the first N examples (0 = all)"));
  maxNew_ = new QSpinBox;
  maxNew_->setRange(0, 4096);
  maxNew_->setSpecialValueText(tr("default"));
  maxNew_->setToolTip(
      tr("Most tokens generated per answer; default: the model's task, else 100 (METHOD.md)"));
  closedBook_ = new QCheckBox(tr("Closed-book"));
  closedBook_->setToolTip(tr("Also ask every question with no documents (QA only): a dashed reference line"));
  oracle_ = new QCheckBox(tr("Oracle"));
  oracle_->setToolTip(
      tr("Also ask every question with the gold document alone (QA only): a dashed reference line"));
  prefixCache_ = new QCheckBox(tr("Reuse shared prefixes"));
  prefixCache_->setChecked(true);
  prefixCache_->setToolTip(tr("Reuse the KV states of tokens shared with the previous prompt (verified "
                              "token-identical); off recomputes every prompt"));
  auto* baselines = new QHBoxLayout;
  baselines->addWidget(closedBook_);
  baselines->addWidget(oracle_);
  baselines->addStretch();

  run_ = new QPushButton(tr("Run sweep"));
  run_->setToolTip(tr("Sweep the gold document over the positions with the loaded model (Ctrl+R)"));
  run_->setShortcut(QKeySequence("Ctrl+R"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setToolTip(
      tr("Stop after the current forward pass; the records so far are kept and resume later"));
  export_ = new QPushButton(tr("Export figure…"));
  export_->setToolTip(tr("Save the plot as PDF, SVG or PNG, or its numbers as CSV or JSON"));
  connect(run_, &QPushButton::clicked, this, &SweepPanel::requestRun);
  connect(cancel_, &QPushButton::clicked, this, &SweepPanel::cancelRequested);
  connect(export_, &QPushButton::clicked, this, &SweepPanel::exportFigure);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  buttons->addWidget(export_);

  progress_ = new QProgressBar;
  progress_->setToolTip(tr("Records finished of the sweep's total"));
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setToolTip(tr("Progress, time left and throughput"));

  runs_ = new QListWidget;
  runs_->setToolTip(tr("Sweeps kept in the workspace: tick to overlay a run on the plot"));
  runs_->setMinimumHeight(80);
  connect(runs_, &QListWidget::itemChanged, this, &SweepPanel::runToggled);

  compareA_ = new QComboBox;
  compareA_->setObjectName("compareA");
  compareA_->setToolTip(tr("Run A of the paired comparison (e.g. the base model)"));
  compareB_ = new QComboBox;
  compareB_->setObjectName("compareB");
  compareB_->setToolTip(tr("Run B of the paired comparison (e.g. the fine-tuned model)"));
  for (QComboBox* box : {compareA_, compareB_}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(12);
  }
  compare_ = new QPushButton(tr("Co&mpare"));
  compare_->setObjectName("compareButton");
  compare_->setToolTip(tr("Overlay A and B and star the positions where B is significantly better or worse "
                          "on the same examples (exact McNemar test, p < 0.05)"));
  connect(compare_, &QPushButton::clicked, this,
          [this] { compareRuns(compareA_->currentData().toString(), compareB_->currentData().toString()); });
  comparer_ = new RunComparer(this);
  connect(comparer_, &RunComparer::compared, this, &SweepPanel::showComparison);
  connect(comparer_, &RunComparer::failed, this, [this](const QString& message) { failed(message); });
  // Run ids are long: A and B get a row each.
  auto* compareRow = new QGridLayout;
  auto* labelA = new QLabel(tr("Run &A"));
  labelA->setBuddy(compareA_);
  auto* labelB = new QLabel(tr("Run &B"));
  labelB->setBuddy(compareB_);
  compareRow->addWidget(labelA, 0, 0);
  compareRow->addWidget(compareA_, 0, 1);
  compareRow->addWidget(labelB, 1, 0);
  compareRow->addWidget(compareB_, 1, 1);
  compareRow->addWidget(compare_, 0, 2, 2, 1);
  compareRow->setColumnStretch(1, 1);

  auto* form = new QFormLayout;
  form->addRow(tr("Data"), dataRow);
  form->addRow(QString(), datasetInfo_);
  form->addRow(tr("Documents"), docs_);
  form->addRow(tr("Positions"), positions_);
  form->addRow(tr("Examples"), limit_);
  form->addRow(tr("Max new tokens"), maxNew_);
  form->addRow(tr("Baselines"), baselines);
  form->addRow(QString(), prefixCache_);
  auto* side = new QWidget;
  auto* sideLayout = new QVBoxLayout(side);
  sideLayout->addLayout(form);
  sideLayout->addLayout(buttons);
  sideLayout->addWidget(progress_);
  sideLayout->addWidget(status_);
  sideLayout->addWidget(new QLabel(tr("Runs in the workspace")));
  sideLayout->addWidget(runs_, 1);
  sideLayout->addWidget(new QLabel(tr("Paired comparison of two runs")));
  sideLayout->addLayout(compareRow);
  side->setMinimumWidth(320);

  plot_ = new SweepPlot;
  connect(docs_, &QSpinBox::valueChanged, this, &SweepPanel::updatePositionCount);
  auto* split = new QSplitter;
  split->addWidget(side);
  split->addWidget(plot_);
  split->setStretchFactor(1, 1);
  split->setSizes({360, 840}); // the plot gets the room
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);
  dataset_.chatTemplate = "auto";
  describeDataset();
  updateButtons();
}

QString SweepPanel::dataPath() const {
  return data_->text().trimmed();
}
void SweepPanel::setDataPath(const QString& path) {
  data_->setText(path);
  updatePositionCount();
}

void SweepPanel::setDataset(const SweepSettings& dataset) {
  dataset_ = dataset;
  data_->setText(QString::fromStdString(dataset.dataPath));
  docs_->setValue(static_cast<int>(dataset.randomDistractors ? dataset.randomDistractors : dataset.docs));
  RecentFiles::remember(
      kRecentDataKey, QFileInfo(QString::fromStdString(dataset.dataPath)).absoluteFilePath(), kMaxRecentData);
  describeDataset();
  updatePositionCount();
}

void SweepPanel::updatePositionCount() {
  const int k = docs_->value();
  int positions = k; // K documents per prompt (random distractors: always K), else unknown
  bool twoHop = false;
  if (!dataset_.randomDistractors && QFileInfo(dataPath()).isFile()) {
    try {
      // The first example is enough: a file holds one task with the same documents per question.
      DatasetLoadOptions first;
      first.format = parseDataFormat(dataset_.dataFormat);
      first.limit = 1;
      const LoadedDataset d = DatasetLoader::load(QDir::cleanPath(dataPath()).toStdString(), first);
      PlacementOptions placement;
      placement.docs = static_cast<size_t>(k);
      if (!d.examples.empty()) {
        positions = static_cast<int>(GoldPlacement(placement).positionCount(d.examples.front()));
        twoHop = d.examples.front().kind == TaskKind::TwoHop;
      }
    } catch (const std::exception&) {
      // A broken file, or K beyond its documents: Run reports it; the axis keeps K.
    }
  }
  plot_->setPositionCount(positions);
  plot_->setHopPairs(twoHop);
}

QStringList SweepPanel::recentData() const {
  return RecentFiles::list(kRecentDataKey);
}

void SweepPanel::describeDataset() {
  const auto text = [](const std::string& value, const QString& fallback) {
    return value.empty() || value == "auto" ? fallback : QString::fromStdString(value);
  };
  datasetInfo_->setText(tr("Task: %1 · template: %2 · chat: %3%4")
                            .arg(text(dataset_.task, tr("from the data")),
                                 text(dataset_.promptTemplate, tr("task default")),
                                 text(dataset_.chatTemplate, tr("auto")),
                                 dataset_.randomDistractors ? tr(" · random distractors") : QString()));
}

void SweepPanel::openDatasetDialog() {
  SweepSettings current = settings();
  DatasetDialog dialog(current, recentData(), this);
  if (dialog.exec() == QDialog::Accepted) setDataset(dialog.apply(current));
}
void SweepPanel::setLimit(int examples) {
  limit_->setValue(examples);
}
void SweepPanel::setMaxNewTokens(int tokens) {
  maxNew_->setValue(tokens);
}

void SweepPanel::setWorkspace(const QString& folder) {
  workspace_ = folder;
  refreshRuns();
}

SweepSettings SweepPanel::settings() const {
  SweepSettings s;
  s.dataPath = QDir::cleanPath(dataPath()).toStdString();
  s.task = dataset_.task;
  s.promptTemplate = dataset_.promptTemplate;
  s.chatTemplate = dataset_.chatTemplate;
  s.docs = static_cast<size_t>(docs_->value());
  if (dataset_.randomDistractors) { // an oracle file: K-document examples from other questions' passages
    s.randomDistractors = s.docs;
    s.docs = 0;
  }
  const QString positions = positions_->text().trimmed();
  if (positions != "all")
    for (const QString& p : positions.split(',', Qt::SkipEmptyParts))
      s.positions.push_back(p.trimmed().toULongLong());
  s.limit = static_cast<size_t>(limit_->value());
  s.maxNewTokens = maxNew_->value();
  s.closedBook = closedBook_->isChecked();
  s.oracle = oracle_->isChecked();
  s.prefixCache = prefixCache_->isChecked();
  return s;
}

void SweepPanel::setModelReady(bool ready) {
  modelReady_ = ready;
  updateButtons();
}

void SweepPanel::setRunning(bool running) {
  running_ = running;
  updateButtons();
}

void SweepPanel::updateButtons() {
  run_->setEnabled(modelReady_ && !running_);
  // Until the first run the status line says what is missing, or that all is set.
  SetupHint::show(status_,
                  {tr("Load a model and choose a dataset."), tr("Choose a dataset (File → Open Dataset…)."),
                   tr("Ready: Run sweep (Ctrl+R) sweeps the gold over every position.")},
                  modelReady_, [this] { return settings(); });
  cancel_->setEnabled(running_);
  compare_->setEnabled(compareA_->count() >= 2);
}

void SweepPanel::requestRun() {
  static const QRegularExpression positions("^\\s*(all|\\d+(\\s*,\\s*\\d+)*)\\s*$");
  if (dataPath().isEmpty() || !QFileInfo(dataPath()).isFile())
    return failed(tr("Choose a dataset file first (%1 is not a file).").arg(dataPath()));
  if (!positions.match(positions_->text()).hasMatch())
    return failed(tr("Positions: write all, or 0-based positions separated by commas (e.g. 0,4,9)."));
  // A new folder per run (a folder that exists would be resumed).
  const QString id = WorkspaceId::make("sweep", dataPath(), '-', [this](const QString& taken) {
    return QFileInfo::exists(QDir(workspace_).filePath("runs/" + taken));
  });
  currentRun_ = QDir(workspace_).filePath("runs/" + id);
  progress_->setRange(0, 0);
  status_->setText(tr("Starting %1…").arg(id));
  Q_EMIT runRequested(settings(), currentRun_);
}

void SweepPanel::showCurve(const SweepCurve& curve) {
  plot_->setCurve(curve);
}

void SweepPanel::showProgress(int done, int total, double etaSeconds, double tokensPerSecond) {
  progress_->setRange(0, std::max(total, 1));
  progress_->setValue(done);
  status_->setText(tr("%1 / %2 records · ETA %3 · %4 tokens/s")
                       .arg(done)
                       .arg(total)
                       .arg(etaSeconds > 0 ? ProgressText::clock(etaSeconds) : QString("–"))
                       .arg(tokensPerSecond, 0, 'f', 0));
}

void SweepPanel::finished(const QString& runDir, const QString& status) {
  progress_->setRange(0, 1);
  progress_->setValue(status == "finished" ? 1 : 0);
  const QString run = QFileInfo(runDir).fileName();
  status_->setText(status == "finished" ? tr("Finished: %1").arg(run)
                                        : tr("Cancelled; the records so far are kept in %1").arg(run));
  status_->setToolTip(QDir::toNativeSeparators(runDir));
  refreshRuns();
  // The run just made is the natural B of a comparison (A: the one chosen before, else the next newest).
  if (const int b = compareB_->findData(runDir); b >= 0) {
    compareB_->setCurrentIndex(b);
    if (compareA_->currentIndex() == b) compareA_->setCurrentIndex(b + 1 < compareA_->count() ? b + 1 : 0);
  }
}

void SweepPanel::failed(const QString& message) {
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Error: %1").arg(message));
}

void SweepPanel::refreshRuns() {
  QSignalBlocker block(runs_);
  QStringList shown;
  for (int i = 0; i < runs_->count(); ++i)
    if (runs_->item(i)->checkState() == Qt::Checked) shown << runs_->item(i)->data(Qt::UserRole).toString();
  runs_->clear();
  const QDir dir(QDir(workspace_).filePath("runs"));
  for (const QFileInfo& run :
       dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed)) {
    if (!QFileInfo(QDir(run.filePath()).filePath("summary.json")).isFile()) continue;
    auto* item = new QListWidgetItem(run.fileName(), runs_);
    item->setData(Qt::UserRole, run.filePath());
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    const bool on = shown.contains(run.filePath()) || run.filePath() == currentRun_;
    item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
    item->setToolTip(run.filePath());
  }
  for (QComboBox* box : {compareA_, compareB_}) {
    const QString chosen = box->currentData().toString();
    const QSignalBlocker blockBox(box);
    box->clear();
    for (int i = 0; i < runs_->count(); ++i)
      box->addItem(runs_->item(i)->text(), runs_->item(i)->data(Qt::UserRole));
    const int index = box->findData(chosen);
    box->setCurrentIndex(index >= 0 ? index : (box == compareB_ ? 0 : std::min(1, box->count() - 1)));
  }
  updateButtons();
}

void SweepPanel::runToggled(QListWidgetItem* item) {
  showRun(item->data(Qt::UserRole).toString(), item->checkState() == Qt::Checked);
}

void SweepPanel::showRun(const QString& dir, bool shown) {
  if (!shown) {
    plot_->removeCurve(QFileInfo(dir).fileName());
    return;
  }
  QString error;
  if (auto curve = SweepCurves::fromRunFolder(dir, &error))
    plot_->setCurve(*curve);
  else
    failed(error);
}

QStringList SweepPanel::runFolders() const {
  QStringList dirs;
  for (int i = 0; i < runs_->count(); ++i)
    dirs << runs_->item(i)->data(Qt::UserRole).toString();
  return dirs;
}

void SweepPanel::compareRuns(const QString& dirA, const QString& dirB) {
  if (dirA.isEmpty() || dirB.isEmpty() || dirA == dirB)
    return failed(tr("Choose two different runs to compare."));
  for (const QString& dir : {dirA, dirB})
    for (int i = 0; i < runs_->count(); ++i)
      if (runs_->item(i)->data(Qt::UserRole).toString() == dir) runs_->item(i)->setCheckState(Qt::Checked);
  // The choosers show what is compared, however the comparison was asked for.
  for (auto [box, dir] : {std::pair{compareA_, dirA}, std::pair{compareB_, dirB}})
    if (const int i = box->findData(dir); i >= 0) box->setCurrentIndex(i);
  status_->setText(tr("Comparing %1 with %2…").arg(QFileInfo(dirA).fileName(), QFileInfo(dirB).fileName()));
  comparer_->compare(dirA, dirB);
}

void SweepPanel::showComparison(const PairedComparison& comparison) {
  plot_->setComparison(comparison);
  QStringList better, worse;
  int pairs = 0;
  for (const PairedPositionTest& t : comparison.positions) {
    if (t.pValue < comparison.alpha) (t.direction > 0 ? better : worse) << QString::number(t.position + 1);
    pairs = std::max(pairs, t.onlyA + t.onlyB);
  }
  const QString none = tr("none");
  status_->setText(
      tr("%1 vs %2 (McNemar, p < %3): B better at %4; worse at %5")
          .arg(comparison.runA, comparison.runB)
          .arg(comparison.alpha)
          .arg(better.isEmpty() ? none : better.join(", "), worse.isEmpty() ? none : worse.join(", ")));
  Q_EMIT comparisonShown(comparison);
}

void SweepPanel::exportFigure() {
  FigureExportDialog dialog(*plot_, FigureExportDialog::suggestedPath("accuracy-vs-position"), this);
  dialog.exec();
}

} // namespace poslab
