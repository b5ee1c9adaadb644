#pragma once
// The explorer view (issue "GUI lab"): pick an example, move its gold document
// with the slider (or the arrow keys), see the model's answer and where its
// attention went. Results are computed on the engine's worker thread and kept
// per (example, position, query): going back to a placement is instant, and
// while the slider moves only the newest request is computed.
#include "app/gui/PlacementBuilder.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QSpinBox;

namespace poslab {

class PlacementExplorer;

class ExplorerPanel : public QWidget {
  Q_OBJECT
public:
  explicit ExplorerPanel(QWidget* parent = nullptr);

  PlacementExplorer* explorer() const { return explorer_; }
  // The data and prompt settings (from the sweep view); clears nothing cached.
  void setSettings(const SweepSettings& settings);
  int cachedPlacements() const { return static_cast<int>(cache_.size()); }
  void clearCache() { cache_.clear(); } // another model: every placement changes

public Q_SLOTS:
  void request(); // the placement the controls describe: from the cache, else asked for
  void onPositionCount(const QString& key, int count);
  void onPlacement(const QString& key, const poslab::PlacementDetails& details);
  void onFailed(const QString& key, const QString& message);

Q_SIGNALS:
  void placementRequested(const poslab::PlacementRequest& request);
  void placementShown(const poslab::PlacementDetails& details);

private:
  PlacementRequest current() const;

  QSpinBox* example_ = nullptr;
  QLabel* status_ = nullptr;
  PlacementExplorer* explorer_ = nullptr;
  SweepSettings settings_;
  QuerySelection query_ = QuerySelection::LastToken;
  QHash<QString, PlacementDetails> cache_;
  QString pending_; // the key last asked for
};

} // namespace poslab
