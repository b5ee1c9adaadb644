#include "app/gui/AggregatePanel.h"

#include "app/gui/AggregateStore.h"
#include "app/gui/BundleExporter.h"
#include "app/gui/FingerprintCache.h"
#include "app/gui/ProgressText.h"
#include "app/gui/SetupHint.h"
#include "widgets/AttentionMassHeatmap.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QShowEvent>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace poslab {

namespace {

// "aggregate-20250301-120000-heldout-2" → "2025-03-01 12:00:00 · heldout-2": the
// id's parts a user picks by, short enough for the view's top row.
QString listed(const QString& id) {
  static const QRegularExpression re("^aggregate-(\\d{4})(\\d{2})(\\d{2})-(\\d{2})(\\d{2})(\\d{2})-(.+)$");
  const QRegularExpressionMatch m = re.match(id);
  if (!m.hasMatch()) return id;
  return QString("%1-%2-%3 %4:%5:%6 · %7")
      .arg(m.captured(1), m.captured(2), m.captured(3), m.captured(4), m.captured(5), m.captured(6),
           m.captured(7));
}

} // namespace

AggregatePanel::AggregatePanel(QWidget* parent)
    : QWidget(parent), fingerprints_(std::make_shared<FingerprintCache>()) {
  examples_ = new QSpinBox;
  examples_->setObjectName("aggregateExamples");
  examples_->setRange(0, 1'000'000);
  examples_->setValue(10);
  examples_->setSpecialValueText(tr("all"));
  examples_->setToolTip(tr("Average over the first N examples of the dataset (0 = all); "
                           "each needs one forward per gold position"));
  query_ = new QComboBox;
  query_->setObjectName("aggregateQuery");
  query_->addItem(tr("Last prompt token"), static_cast<int>(QuerySelection::LastToken));
  query_->addItem(tr("Question tokens"), static_cast<int>(QuerySelection::Question));
  query_->addItem(tr("Answer tokens"), static_cast<int>(QuerySelection::Answer));
  query_->setToolTip(
      tr("Which tokens the attention is measured from; answer tokens generate the answer first"));
  compute_ = new QPushButton(tr("&Compute"));
  compute_->setObjectName("aggregateCompute");
  compute_->setToolTip(tr("Attention mass per document for every gold position, averaged over the examples "
                          "(data and prompt settings from the Sweep view)"));
  cancel_ = new QPushButton(tr("Cancel"));
  cancel_->setObjectName("aggregateCancel");
  cancel_->setToolTip(tr("Stop after the current prompt and show the examples done so far"));
  saved_ = new QComboBox;
  saved_->setObjectName("aggregateSaved");
  saved_->setToolTip(tr("Aggregates kept in the workspace, newest first: choose one to show it again"));
  saved_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  connect(saved_, &QComboBox::activated, this,
          [this](int index) { showSaved(saved_->itemData(index).toString()); });
  progress_ = new QProgressBar;
  progress_->setToolTip(tr("Prompts analysed of the total (examples × gold positions)"));
  progress_->setMaximumWidth(240);
  status_ = new QLabel;
  status_->setWordWrap(true);
  status_->setToolTip(tr("What the aggregate view shows or is computing"));
  connect(compute_, &QPushButton::clicked, this, &AggregatePanel::requestCompute);
  connect(cancel_, &QPushButton::clicked, this, &AggregatePanel::cancelRequested);

  auto* examplesLabel = new QLabel(tr("&Examples"));
  examplesLabel->setBuddy(examples_);
  auto* queryLabel = new QLabel(tr("&Query"));
  queryLabel->setBuddy(query_);
  auto* savedLabel = new QLabel(tr("&Saved"));
  savedLabel->setBuddy(saved_);
  auto* top = new QHBoxLayout;
  top->addWidget(examplesLabel);
  top->addWidget(examples_);
  top->addWidget(queryLabel);
  top->addWidget(query_);
  top->addWidget(compute_);
  top->addWidget(cancel_);
  top->addWidget(progress_);
  top->addStretch();
  heatmap_ = new AttentionMassHeatmap;
  heatmap_->setToolTip(tr("Rows: where the gold document was; columns: the documents. A model that finds "
                          "the gold shows a bright diagonal (outlined)"));
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  // The kept results beside what is shown: the top row has no room for a full entry.
  auto* shownRow = new QHBoxLayout;
  shownRow->addWidget(status_, 1);
  shownRow->addSpacing(12);
  shownRow->addWidget(savedLabel);
  shownRow->addWidget(saved_);
  layout->addLayout(shownRow);
  layout->addWidget(heatmap_, 1);
  updateButtons();
}

AggregatePanel::~AggregatePanel() {
  for (QFutureWatcher<Saving>* saving : saving_)
    saving->waitForFinished();
}

void AggregatePanel::setWorkspace(const QString& folder) {
  workspace_ = folder;
  refreshSaved();
}

void AggregatePanel::setModel(const QString& path, const QString& device, const QString& dtype) {
  modelPath_ = path;
  device_ = device;
  dtype_ = dtype;
}

QString AggregatePanel::statusText() const {
  return status_->text();
}

void AggregatePanel::setExamples(int examples) {
  examples_->setValue(examples);
}

void AggregatePanel::setModelReady(bool ready) {
  modelReady_ = ready;
  updateButtons();
}

void AggregatePanel::setRunning(bool running) {
  running_ = running;
  updateButtons();
}

void AggregatePanel::updateButtons() {
  compute_->setEnabled(modelReady_ && !running_);
  cancel_->setEnabled(running_);
  showHint();
}

void AggregatePanel::showHint() {
  SetupHint::show(status_,
                  {tr("Load a model, then Compute."),
                   tr("Choose a dataset in the Sweep view (File → Open Dataset…), then Compute."),
                   tr("Ready: Compute averages the attention over the first N examples at every gold "
                      "position.")},
                  modelReady_, source_);
}

void AggregatePanel::showEvent(QShowEvent* event) {
  showHint();
  QWidget::showEvent(event);
}

void AggregatePanel::requestCompute() {
  requested_ = source_ ? source_() : SweepSettings{};
  if (requested_.dataPath.empty() || !QFileInfo(QString::fromStdString(requested_.dataPath)).isFile())
    return failed(tr("Choose a dataset in the Sweep view first (File → Open Dataset…)."));
  progress_->setRange(0, 0);
  clock_.start();
  status_->setText(tr("Analysing the first %1 examples at every gold position…")
                       .arg(examples_->value() ? QString::number(examples_->value()) : tr("all")));
  requestedExamples_ = examples_->value();
  requestedQuery_ = static_cast<QuerySelection>(query_->currentData().toInt());
  requestedAt_ = QDateTime::currentDateTimeUtc();
  Q_EMIT computeRequested(requested_, requestedExamples_, requestedQuery_);
}

void AggregatePanel::showProgress(int done, int total) {
  progress_->setRange(0, std::max(total, 1));
  progress_->setValue(done);
  const double seconds = static_cast<double>(clock_.nsecsElapsed()) / 1e9;
  status_->setText(tr("%1 / %2 prompts analysed · ETA %3 · %4 prompts/s")
                       .arg(done)
                       .arg(total)
                       .arg(ProgressText::eta(done, total, seconds))
                       .arg(seconds > 0 ? done / seconds : 0.0, 0, 'f', 1));
}

void AggregatePanel::finished(const AttentionMassGrid& grid, bool complete) {
  progress_->setRange(0, 1);
  progress_->setValue(complete ? 1 : 0);
  heatmap_->setMatrix(grid);
  SavedAggregate a;
  a.grid = grid;
  a.complete = complete;
  a.query = requestedQuery_;
  a.examples = requestedExamples_;
  a.settings = requested_.toJson();
  a.modelPath = modelPath_;
  a.device = device_;
  a.dtype = dtype_;
  a.dataPath = QString::fromStdString(requested_.dataPath);
  a.version = BundleExporter::version();
  a.started = requestedAt_.isValid() ? requestedAt_ : QDateTime::currentDateTimeUtc();
  a.finished = QDateTime::currentDateTimeUtc();
  shown_ = a;
  showDescription(a);
  // The id is taken now, on this thread (its folder made), so two results
  // saved at once in one second cannot pick the same one.
  a.id = AggregateStore::newId(workspace_, a.dataPath);
  QDir().mkpath(QFileInfo(AggregateStore::file(workspace_, a.id)).absolutePath());
  // Fingerprints hash files (a full sha256 of the data): on the pool, then the atomic write.
  auto* watcher = new QFutureWatcher<Saving>(this);
  connect(watcher, &QFutureWatcher<Saving>::finished, this, [this, watcher] {
    saving_.removeOne(watcher);
    kept(watcher->result());
    watcher->deleteLater();
  });
  const QFuture<Saving> future =
      QtConcurrent::run([cache = fingerprints_, workspace = workspace_, a]() mutable {
        const FingerprintCache::Entry modelEntry = cache->get(FingerprintCache::Kind::Model, a.modelPath);
        const FingerprintCache::Entry dataEntry = cache->get(FingerprintCache::Kind::Data, a.dataPath);
        a.modelFingerprint = modelEntry.fingerprint;
        a.dataFingerprint = dataEntry.fingerprint;
        a.fingerprintError = modelEntry.error.isEmpty() ? dataEntry.error : modelEntry.error;
        Saving saving{a, {}};
        if (!AggregateStore::save(workspace, a, &saving.error)) saving.aggregate.id.clear();
        return saving;
      });
  saving_ << watcher;
  watcher->setFuture(future);
}

void AggregatePanel::kept(const Saving& saving) {
  const SavedAggregate& a = saving.aggregate;
  // Still the result on screen: it now has its id and fingerprints.
  if (shown_ && shown_->id.isEmpty() && shown_->finished == a.finished) shown_ = a;
  refreshSaved();
  if (!a.id.isEmpty()) {
    if (shown_ && shown_->id == a.id) {
      saved_->setCurrentIndex(std::max(0, saved_->findData(a.id)));
      showDescription(a);
    }
  } else {
    status_->setText(status_->text() + " " + tr("Not kept in the workspace: %1").arg(saving.error));
  }
  Q_EMIT stored(a.id, a.complete, saving.error);
}

void AggregatePanel::showDescription(const SavedAggregate& a) {
  QString text = a.complete ? tr("Attention share per document (%1).").arg(a.grid.description)
                            : tr("Cancelled; showing what was analysed (%1).").arg(a.grid.description);
  if (!a.id.isEmpty()) text += " " + tr("Kept as %1.").arg(a.id);
  status_->setText(text);
  status_->setToolTip(a.id.isEmpty() ? tr("What the aggregate view shows or is computing")
                                     : QDir::toNativeSeparators(AggregateStore::file(workspace_, a.id)));
}

void AggregatePanel::refreshSaved() {
  const QSignalBlocker block(saved_);
  saved_->clear();
  for (const QString& id : AggregateStore::list(workspace_)) {
    saved_->addItem(listed(id), id);
    saved_->setItemData(saved_->count() - 1, QDir::toNativeSeparators(AggregateStore::file(workspace_, id)),
                        Qt::ToolTipRole);
  }
  const int shown = shown_ ? saved_->findData(shown_->id) : -1;
  saved_->setCurrentIndex(shown >= 0 ? shown : saved_->count() > 0 ? 0 : -1);
  saved_->setEnabled(saved_->count() > 0);
}

bool AggregatePanel::showSaved(const QString& id) {
  QString error;
  const std::optional<SavedAggregate> a = AggregateStore::load(workspace_, id, &error);
  if (!a) {
    failed(error);
    return false;
  }
  heatmap_->setMatrix(a->grid);
  shown_ = a;
  if (const int i = saved_->findData(id); i >= 0) saved_->setCurrentIndex(i);
  showDescription(*a);
  return true;
}

void AggregatePanel::failed(const QString& message) {
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Error: %1").arg(message));
}

} // namespace poslab
