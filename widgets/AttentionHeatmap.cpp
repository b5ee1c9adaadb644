#include "widgets/AttentionHeatmap.h"

#include "widgets/MatrixHeatmap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

namespace poslab {

namespace {

QString percent(double fraction) {
  return QString::number(fraction * 100, 'f', 1) + QStringLiteral(" %");
}

} // namespace

AttentionHeatmap::AttentionHeatmap(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  auto* controls = new QHBoxLayout;
  controls->setContentsMargins(8, 4, 8, 0);
  controls->setSpacing(6);

  headCombo_ = new QComboBox(this);
  headCombo_->setObjectName("headCombo");
  headCombo_->setToolTip(
      tr("How the heads of each layer are combined: their mean, their maximum, or one head"));
  headCombo_->setFocusPolicy(Qt::StrongFocus);
  auto* headLabel = new QLabel(tr("H&eads"), this);
  headLabel->setBuddy(headCombo_);
  controls->addWidget(headLabel);
  controls->addWidget(headCombo_);

  queryCombo_ = new QComboBox(this);
  queryCombo_->setObjectName("queryCombo");
  queryCombo_->addItem(tr("Last prompt token"), static_cast<int>(QuerySelection::LastToken));
  queryCombo_->addItem(tr("Question tokens"), static_cast<int>(QuerySelection::Question));
  queryCombo_->addItem(tr("Answer tokens"), static_cast<int>(QuerySelection::Answer));
  queryCombo_->setToolTip(tr("Which tokens the attention is measured from: the last prompt token, "
                             "the question's tokens, or the generated answer's tokens (mean)"));
  queryCombo_->setFocusPolicy(Qt::StrongFocus);
  auto* queryLabel = new QLabel(tr("&Query"), this);
  queryLabel->setBuddy(queryCombo_);
  controls->addSpacing(8);
  controls->addWidget(queryLabel);
  controls->addWidget(queryCombo_);

  tokenLayer_ = new QSpinBox(this);
  tokenLayer_->setObjectName("tokenLayerSpin");
  tokenLayer_->setRange(0, 0);
  tokenLayer_->setToolTip(tr("Layer (0 = first) of the token-level attention map"));
  tokenLayer_->setFocusPolicy(Qt::StrongFocus);
  auto* layerLabel = new QLabel(tr("&Layer"), this);
  layerLabel->setBuddy(tokenLayer_);
  tokenButton_ = new QPushButton(tr("&Token map"), this);
  tokenButton_->setObjectName("tokenMapButton");
  tokenButton_->setToolTip(tr("Show attention token by token for the chosen layer and heads "
                              "(clicking a cell of the heatmap picks its layer)"));
  tokenButton_->setFocusPolicy(Qt::StrongFocus);
  controls->addSpacing(8);
  controls->addWidget(layerLabel);
  controls->addWidget(tokenLayer_);
  controls->addWidget(tokenButton_);
  controls->addStretch(1);
  layout->addLayout(controls);

  sinkLabel_ = new QLabel(this);
  sinkLabel_->setObjectName("sinkLabel");
  sinkLabel_->setContentsMargins(8, 0, 8, 0);
  sinkLabel_->setToolTip(tr("Share of attention on the first prompt tokens (the attention sink), "
                            "which is not on any document"));
  layout->addWidget(sinkLabel_);

  heatmap_ = new MatrixHeatmap(this);
  heatmap_->setObjectName("attentionHeatmap");
  heatmap_->setExportName(QStringLiteral("attention"),
                          QStringLiteral("Share of attention per layer and document for one prompt"));
  layout->addWidget(heatmap_, 1);

  connect(headCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    const int value = headCombo_->itemData(index).toInt();
    HeadReduction selection;
    selection.kind = value == -1   ? HeadReduction::Mean
                     : value == -2 ? HeadReduction::Max
                                   : HeadReduction::Single;
    selection.head = std::max(0, value);
    setHeadSelection(selection);
  });
  connect(queryCombo_, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    Q_EMIT queryChanged(static_cast<QuerySelection>(queryCombo_->itemData(index).toInt()));
  });
  connect(tokenButton_, &QPushButton::clicked, this,
          [this] { Q_EMIT tokenMapRequested(tokenLayer_->value(), selection_, query()); });
  connect(heatmap_, &MatrixHeatmap::cellClicked, this, [this](int row, int) { tokenLayer_->setValue(row); });

  setMinimumSize(420, 320);
  fillHeadCombo();
  redraw();
}

QuerySelection AttentionHeatmap::query() const {
  return static_cast<QuerySelection>(queryCombo_->currentData().toInt());
}

void AttentionHeatmap::setGrid(const AttentionGrid& grid) {
  grid_ = grid;
  if (grid_.mass.size() != grid_.layers * grid_.heads * grid_.documents) grid_ = AttentionGrid{};
  if (selection_.kind == HeadReduction::Single && selection_.head >= grid_.heads)
    selection_ = HeadReduction{};
  {
    const QSignalBlocker block(queryCombo_);
    queryCombo_->setCurrentIndex(queryCombo_->findData(static_cast<int>(grid_.query)));
  }
  tokenLayer_->setRange(0, std::max(0, grid_.layers - 1));
  fillHeadCombo();
  redraw();
}

void AttentionHeatmap::setHeadSelection(const HeadReduction& selection) {
  HeadReduction valid = selection;
  if (valid.kind == HeadReduction::Single && (valid.head < 0 || valid.head >= grid_.heads))
    valid = HeadReduction{};
  if (valid == selection_) return;
  selection_ = valid;
  fillHeadCombo();
  redraw();
  Q_EMIT headSelectionChanged(selection_);
}

void AttentionHeatmap::setQuery(QuerySelection q) {
  const QSignalBlocker block(queryCombo_);
  queryCombo_->setCurrentIndex(queryCombo_->findData(static_cast<int>(q)));
}

void AttentionHeatmap::fillHeadCombo() {
  const QSignalBlocker block(headCombo_);
  headCombo_->clear();
  headCombo_->addItem(tr("Mean of heads"), -1);
  headCombo_->addItem(tr("Max of heads"), -2);
  for (int h = 0; h < grid_.heads; ++h)
    headCombo_->addItem(tr("Head %1").arg(h), h);
  const int current = selection_.kind == HeadReduction::Mean  ? -1
                      : selection_.kind == HeadReduction::Max ? -2
                                                              : selection_.head;
  headCombo_->setCurrentIndex(headCombo_->findData(current));
}

QVector<double> AttentionHeatmap::documentMass() const {
  QVector<double> mass(grid_.documents, 0.0);
  if (grid_.layers == 0) return mass;
  const QVector<double> reduced = grid_.reduced(selection_);
  for (int l = 0; l < grid_.layers; ++l)
    for (int d = 0; d < grid_.documents; ++d)
      mass[d] += reduced[l * grid_.documents + d] / grid_.layers;
  return mass;
}

void AttentionHeatmap::redraw() {
  HeatmapMatrix m;
  m.rows = grid_.layers;
  m.columns = grid_.documents;
  m.values = grid_.reduced(selection_);
  for (int l = 0; l < grid_.layers; ++l)
    m.rowLabels << QString::number(l);
  m.rowTitle = tr("Layer");
  m.columnTitle = tr("Document (1 = first in the prompt)");
  m.valueTitle = tr("Attention share");
  m.minimum = 0.0;
  m.highlightColumn = grid_.goldIndex;
  m.highlightLabel = tr("gold");
  QStringList notes;
  for (int l = 0; l < grid_.layers; ++l)
    for (int d = 0; d < grid_.documents; ++d) {
      QString note = d < grid_.documentLabels.size() ? grid_.documentLabels[d].toHtmlEscaped() : QString();
      if (d == grid_.goldIndex) note += tr(" (gold)");
      if (l < grid_.sinkShare.size())
        note += tr("<br>sink share in this layer: %1").arg(percent(grid_.sinkShare[l]));
      notes << note;
    }
  heatmap_->setCellNotes(notes);
  heatmap_->setMatrix(m);
  if (grid_.sinkShare.isEmpty()) {
    sinkLabel_->setText(tr("Attention sink: not measured"));
  } else {
    double mean = 0, peak = 0;
    int peakLayer = 0;
    for (int l = 0; l < grid_.sinkShare.size(); ++l) {
      mean += grid_.sinkShare[l] / grid_.sinkShare.size();
      if (grid_.sinkShare[l] > peak) {
        peak = grid_.sinkShare[l];
        peakLayer = l;
      }
    }
    sinkLabel_->setText(tr("Attention sink (first tokens): %1 on average over layers, at most %2 (layer %3)")
                            .arg(percent(mean), percent(peak))
                            .arg(peakLayer));
  }
  tokenButton_->setEnabled(grid_.layers > 0);
}

QCustomPlot* AttentionHeatmap::customPlot() const {
  return heatmap_->customPlot();
}

PlotData AttentionHeatmap::plotData() const {
  PlotData table;
  table.name = QStringLiteral("attention");
  table.description =
      QStringLiteral("Share of attention per layer and document (heads: %1), and the sink share of the layer")
          .arg(headCombo_->currentText());
  table.columns = {"layer", "document", "document_title", "is_gold", "attention", "sink_share"};
  const QVector<double> reduced = grid_.reduced(selection_);
  for (int l = 0; l < grid_.layers; ++l)
    for (int d = 0; d < grid_.documents; ++d)
      table.rows.push_back({l, d + 1, d < grid_.documentLabels.size() ? grid_.documentLabels[d] : QString(),
                            d == grid_.goldIndex, reduced[l * grid_.documents + d],
                            l < grid_.sinkShare.size() ? QVariant(double(grid_.sinkShare[l])) : QVariant()});
  return table;
}

} // namespace poslab
