#include "app/gui/ExplorerPanel.h"

#include "widgets/AttentionHeatmap.h"
#include "widgets/PlacementExplorer.h"

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
  if (key == pending_) status_->setText(tr("Error: %1").arg(message));
}

} // namespace poslab
