#include "app/gui/ExplorerPanel.h"

#include "widgets/AttentionHeatmap.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/PlacementExplorer.h"

#include <QDialog>
#include <algorithm>

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

namespace poslab {

ExplorerPanel::ExplorerPanel(QWidget* parent) : QWidget(parent) {
  example_ = new QSpinBox;
  example_->setRange(0, 1'000'000);
  example_->setToolTip(tr("The example to explore (0-based index in the dataset)"));
  status_ = new QLabel(tr("Load a model and choose a dataset in the Sweep view."));
  status_->setToolTip(tr("What the explorer is computing"));
  status_->setWordWrap(true);
  explorer_ = new PlacementExplorer;
  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("Example")));
  top->addWidget(example_);
  top->addWidget(status_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(explorer_, 1);
  connect(example_, &QSpinBox::valueChanged, this, &ExplorerPanel::request);
  connect(explorer_, &PlacementExplorer::positionRequested, this, &ExplorerPanel::request);
  connect(explorer_->attentionHeatmap(), &AttentionHeatmap::queryChanged, this, [this](QuerySelection q) {
    query_ = q;
    request();
  });
  connect(explorer_->attentionHeatmap(), &AttentionHeatmap::tokenMapRequested, this,
          [this](int layer, const HeadReduction& heads, QuerySelection) { requestTokenMap(layer, heads); });
}

void ExplorerPanel::requestTokenMap(int layer, const HeadReduction& heads) {
  if (settings_.dataPath.empty()) return;
  const PlacementRequest r = current();
  tokenPending_ = r.key();
  tokenAsked_ = r;
  tokenLayerAsked_ = layer;
  tokenHeadsAsked_ = heads;
  status_->setText(tr("Computing the token map of layer %1 for example %2, gold at position %3…")
                       .arg(layer)
                       .arg(r.example)
                       .arg(r.position + 1));
  Q_EMIT tokenMapRequested(r, layer, heads);
}

void ExplorerPanel::onTokenMap(const QString& key, const HeatmapMatrix& matrix) {
  if (key != tokenPending_) return; // the user has moved on
  tokenPending_.clear();
  tokenShown_ = tokenAsked_;
  tokenLayer_ = tokenLayerAsked_;
  tokenHeads_ = tokenHeadsAsked_;
  if (!tokenDialog_) {
    tokenDialog_ = new QDialog(this);
    tokenDialog_->setObjectName("tokenMapDialog");
    tokenDialog_->setWindowTitle(tr("Token-level attention"));
    tokenMap_ = new MatrixHeatmap(tokenDialog_);
    tokenMap_->setObjectName("tokenMap");
    tokenMap_->setToolTip(tr("Attention of each query token (rows) on every earlier token (columns); "
                             "right-click to export it"));
    FigureExportDialog::offerOnRightClick(tokenMap_, *tokenMap_, QStringLiteral("token_attention"));
    auto* layout = new QVBoxLayout(tokenDialog_);
    layout->addWidget(tokenMap_);
  }
  // One query row (the last token) needs a strip, a question's rows a square-ish map.
  tokenDialog_->resize(std::max(tokenDialog_->width(), 1000), std::clamp(180 + 14 * matrix.rows, 240, 800));
  tokenMap_->setExportName("token_attention", matrix.columnTitle);
  tokenMap_->setMatrix(matrix);
  tokenDialog_->setWindowTitle(tr("Token-level attention: %1").arg(matrix.columnTitle));
  tokenDialog_->show();
  tokenDialog_->raise();
  status_->setText(tr("Token map shown (%1 query × %2 key tokens).").arg(matrix.rows).arg(matrix.columns));
  Q_EMIT tokenMapShown(matrix);
}

void ExplorerPanel::setSettings(const SweepSettings& settings) {
  settings_ = settings;
}

PlacementRequest ExplorerPanel::current() const {
  PlacementRequest r;
  r.settings = settings_;
  r.example = example_->value();
  r.position = explorer_->requestedPosition();
  r.query = query_;
  return r;
}

void ExplorerPanel::request() {
  if (settings_.dataPath.empty() || !QFileInfo(QString::fromStdString(settings_.dataPath)).isFile()) {
    status_->setText(tr("Choose a dataset in the Sweep view first."));
    return;
  }
  const PlacementRequest r = current();
  const QString key = r.key();
  if (auto it = cache_.constFind(key); it != cache_.constEnd()) {
    pending_.clear();
    explorer_->setDetails(*it);
    status_->setText(tr("Example %1, gold at position %2 (cached)").arg(r.example).arg(r.position + 1));
    Q_EMIT placementShown(*it);
    return;
  }
  pending_ = key;
  status_->setText(
      tr("Computing example %1 with the gold at position %2…").arg(r.example).arg(r.position + 1));
  Q_EMIT placementRequested(r);
}

void ExplorerPanel::onPositionCount(const QString& key, int count) {
  if (key == pending_) explorer_->setPositionCount(count);
}

void ExplorerPanel::onPlacement(const QString& key, const PlacementDetails& details) {
  cache_.insert(key, details);
  if (key != pending_) return; // the user has moved on; kept for when they come back
  pending_.clear();
  explorer_->setDetails(details);
  status_->setText(tr("Example %1, gold at position %2: %3 prompt tokens")
                       .arg(details.example)
                       .arg(details.goldPosition + 1)
                       .arg(details.promptTokens));
  Q_EMIT placementShown(details);
}

void ExplorerPanel::onFailed(const QString& key, const QString& message) {
  if (key == pending_ || key == tokenPending_) status_->setText(tr("Error: %1").arg(message));
}

} // namespace poslab
