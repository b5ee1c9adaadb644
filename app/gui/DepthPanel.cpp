#include "app/gui/DepthPanel.h"

#include "app/gui/DepthGrids.h"
#include "app/gui/ProgressText.h"
#include "app/gui/SetupHint.h"
#include "app/gui/WorkspaceId.h"
#include "widgets/DepthHeatmap.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QShowEvent>
#include <QVBoxLayout>
#include <algorithm>

namespace poslab {

DepthPanel::DepthPanel(QWidget* parent) : QWidget(parent) {
  counts_ = new QLineEdit("5,10,20");
  counts_->setObjectName("depthCounts");
  counts_->setToolTip(tr("Numbers of documents per prompt, one sweep each (comma separated, e.g. 5,10,20); "
                         "the other settings come from the Sweep view"));
  run_ = new QPushButton(tr("&Run depth study"));
  run_->setObjectName("depthRun");
  run_->setToolTip(tr("Sweep every gold position once per number of documents, in the background"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName("depthCancel");
  cancel_->setToolTip(tr("Stop the sweep in progress (its records are kept) and skip the rest"));
  studies_ = new QComboBox;
  studies_->setObjectName("depthStudies");
  studies_->setToolTip(tr("Depth studies kept in the workspace: choose one to show it again"));
  studies_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  progress_ = new QProgressBar;
  progress_->setMaximumWidth(240);
  progress_->setToolTip(tr("Records of the current sweep"));
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setToolTip(tr("What the depth view shows or is computing"));
  heatmap_ = new DepthHeatmap;
  heatmap_->setToolTip(tr("Accuracy (%) by gold position (rows) and number of documents (columns)"));
  connect(run_, &QPushButton::clicked, this, &DepthPanel::requestRun);
  connect(cancel_, &QPushButton::clicked, this, &DepthPanel::cancelRequested);
  connect(studies_, &QComboBox::activated, this, [this](int index) { showStudy(studies_->itemText(index)); });

  auto* countsLabel = new QLabel(tr("Doc&uments"));
  countsLabel->setBuddy(counts_);
  auto* studiesLabel = new QLabel(tr("&Saved"));
  studiesLabel->setBuddy(studies_);
  auto* top = new QHBoxLayout;
  top->addWidget(countsLabel);
  top->addWidget(counts_);
  top->addWidget(run_);
  top->addWidget(cancel_);
  top->addWidget(progress_);
  top->addSpacing(12);
  top->addWidget(studiesLabel);
  top->addWidget(studies_);
  top->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(status_);
  layout->addWidget(heatmap_, 1);
  updateButtons();
}

void DepthPanel::setWorkspace(const QString& folder) {
  workspace_ = folder;
  refreshStudies();
}

void DepthPanel::setDocumentCounts(const QString& counts) {
  counts_->setText(counts);
}

QVector<int> DepthPanel::documentCounts() const {
  static const QRegularExpression list("^\\s*\\d+(\\s*,\\s*\\d+)*\\s*$");
  QVector<int> counts;
  if (!list.match(counts_->text()).hasMatch()) return counts;
  for (const QString& part : counts_->text().split(',', Qt::SkipEmptyParts))
    if (const int k = part.trimmed().toInt(); k > 0 && !counts.contains(k)) counts << k;
  std::sort(counts.begin(), counts.end());
  return counts;
}

SweepSettings DepthPanel::withDocuments(SweepSettings base, int documents) {
  if (base.randomDistractors > 0)
    base.randomDistractors = static_cast<size_t>(documents);
  else
    base.docs = static_cast<size_t>(documents);
  base.positions.clear();
  return base;
}

QStringList DepthPanel::shownRuns() const {
  return shown_.isEmpty() ? QStringList() : DepthGrids::studyRuns(workspace_, shown_);
}

void DepthPanel::setModelReady(bool ready) {
  modelReady_ = ready;
  updateButtons();
}

void DepthPanel::setRunning(bool running) {
  busy_ = running;
  updateButtons();
}

void DepthPanel::updateButtons() {
  run_->setEnabled(modelReady_ && !busy_);
  cancel_->setEnabled(busy_ && !running_.isEmpty());
  showHint();
}

void DepthPanel::showHint() {
  SetupHint::show(status_,
                  {tr("Load a model, then run a depth study."),
                   tr("Choose a dataset in the Sweep view (File → Open Dataset…), then run a depth study."),
                   tr("Ready: Run depth study sweeps every gold position at each number of documents.")},
                  modelReady_, source_);
}

void DepthPanel::showEvent(QShowEvent* event) {
  showHint();
  QWidget::showEvent(event);
}

void DepthPanel::requestRun() {
  const SweepSettings base = source_ ? source_() : SweepSettings{};
  if (base.dataPath.empty() || !QFileInfo(QString::fromStdString(base.dataPath)).isFile())
    return failed(tr("Choose a dataset in the Sweep view first (File → Open Dataset…)."));
  const QVector<int> counts = documentCounts();
  if (counts.isEmpty()) return failed(tr("Documents: write counts separated by commas, e.g. 5,10,20."));
  if (base.randomDistractors > 0 && counts.front() < 2)
    return failed(tr("Random distractors need at least 2 documents per prompt."));
  // '~' keeps the suffix out of the "-k<K>" that names each run of the study.
  const QString study =
      WorkspaceId::make("depth", QString::fromStdString(base.dataPath), '~', [this](const QString& id) {
        return !DepthGrids::studyRuns(workspace_, id).isEmpty();
      });
  QVector<SweepSettings> sweeps;
  QStringList dirs;
  for (int k : counts) {
    sweeps << withDocuments(base, k);
    dirs << DepthGrids::runDir(workspace_, study, k);
  }
  running_ = study;
  progress_->setRange(0, 0);
  status_->setText(tr("Starting %1: %2 sweeps…").arg(study).arg(counts.size()));
  Q_EMIT runRequested(sweeps, dirs);
}

void DepthPanel::showProgress(int index, int count, int done, int total, double etaSeconds) {
  progress_->setRange(0, std::max(total, 1));
  progress_->setValue(done);
  status_->setText(tr("Sweep %1 of %2: %3 / %4 records%5")
                       .arg(index + 1)
                       .arg(count)
                       .arg(done)
                       .arg(total)
                       .arg(etaSeconds > 0
                                ? tr(" · ETA %1 for this sweep").arg(ProgressText::clock(etaSeconds))
                                : QString()));
}

void DepthPanel::finished(const QStringList& runDirs, const QString& status) {
  progress_->setRange(0, 1);
  progress_->setValue(status == "finished" ? 1 : 0);
  const QString study = running_;
  running_.clear();
  refreshStudies();
  Q_UNUSED(runDirs);
  if (!study.isEmpty()) showStudy(study);
  if (status != "finished")
    status_->setText(tr("Cancelled; the sweeps done so far are kept in %1 (shown).").arg(study));
}

void DepthPanel::failed(const QString& message) {
  running_.clear();
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Error: %1").arg(message));
  updateButtons();
}

void DepthPanel::refreshStudies() {
  const QSignalBlocker block(studies_);
  studies_->clear();
  studies_->addItems(DepthGrids::studies(workspace_));
  if (const int i = studies_->findText(shown_); i >= 0) studies_->setCurrentIndex(i);
  studies_->setEnabled(studies_->count() > 0);
}

void DepthPanel::showStudy(const QString& study) {
  QString error;
  const QStringList runs = DepthGrids::studyRuns(workspace_, study);
  const std::optional<DepthGrid> grid = DepthGrids::fromRunFolders(runs, &error);
  if (!grid) return failed(error.isEmpty() ? tr("%1 has no finished sweeps").arg(study) : error);
  heatmap_->setGrid(*grid);
  shown_ = study;
  if (const int i = studies_->findText(study); i >= 0) studies_->setCurrentIndex(i);
  QStringList counts;
  for (int k : grid->documentCounts)
    counts << QString::number(k);
  status_->setText(
      tr("%1: accuracy over gold position × documents per prompt (%2).").arg(study, counts.join(", ")));
  Q_EMIT studyShown(study);
}

} // namespace poslab
