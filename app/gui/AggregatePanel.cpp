#include "app/gui/AggregatePanel.h"

#include "widgets/AttentionMassHeatmap.h"

#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace poslab {

AggregatePanel::AggregatePanel(QWidget* parent) : QWidget(parent) {
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
  progress_ = new QProgressBar;
  progress_->setToolTip(tr("Prompts analysed of the total (examples × gold positions)"));
  progress_->setMaximumWidth(240);
  status_ = new QLabel(tr("Load a model and choose a dataset in the Sweep view, then Compute."));
  status_->setWordWrap(true);
  status_->setToolTip(tr("What the aggregate view shows or is computing"));
  connect(compute_, &QPushButton::clicked, this, &AggregatePanel::requestCompute);
  connect(cancel_, &QPushButton::clicked, this, &AggregatePanel::cancelRequested);

  auto* examplesLabel = new QLabel(tr("&Examples"));
  examplesLabel->setBuddy(examples_);
  auto* queryLabel = new QLabel(tr("&Query"));
  queryLabel->setBuddy(query_);
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
  layout->addWidget(status_);
  layout->addWidget(heatmap_, 1);
  updateButtons();
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
}

void AggregatePanel::requestCompute() {
  requested_ = source_ ? source_() : SweepSettings{};
  if (requested_.dataPath.empty() || !QFileInfo(QString::fromStdString(requested_.dataPath)).isFile())
    return failed(tr("Choose a dataset in the Sweep view first (File → Open Dataset…)."));
  progress_->setRange(0, 0);
  status_->setText(tr("Analysing the first %1 examples at every gold position…")
                       .arg(examples_->value() ? QString::number(examples_->value()) : tr("all")));
  requestedExamples_ = examples_->value();
  requestedQuery_ = static_cast<QuerySelection>(query_->currentData().toInt());
  Q_EMIT computeRequested(requested_, requestedExamples_, requestedQuery_);
}

void AggregatePanel::showProgress(int done, int total) {
  progress_->setRange(0, std::max(total, 1));
  progress_->setValue(done);
  status_->setText(tr("%1 / %2 prompts analysed").arg(done).arg(total));
}

void AggregatePanel::finished(const AttentionMassGrid& grid, bool complete) {
  progress_->setRange(0, 1);
  progress_->setValue(complete ? 1 : 0);
  heatmap_->setMatrix(grid);
  shown_ = requested_;
  shownExamples_ = requestedExamples_;
  shownQuery_ = requestedQuery_;
  hasResult_ = true;
  status_->setText(complete ? tr("Attention share per document (%1).").arg(grid.description)
                            : tr("Cancelled; showing what was analysed (%1).").arg(grid.description));
}

void AggregatePanel::failed(const QString& message) {
  progress_->setRange(0, 1);
  progress_->setValue(0);
  status_->setText(tr("Error: %1").arg(message));
}

} // namespace poslab
