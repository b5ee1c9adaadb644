#pragma once
// The explorer view (issue "GUI lab"): pick an example, move its gold document
// with the slider (or the arrow keys), see the model's answer and where its
// attention went. Results are computed on the engine's worker thread and kept
// per (example, position, query): going back to a placement is instant, and
// while the slider moves only the newest request is computed.
#include "app/gui/PlacementBuilder.h"
#include "widgets/HeatmapMatrix.h"

#include <QHash>
#include <QWidget>

class QDialog;
class QLabel;
class QSpinBox;

namespace poslab {

class MatrixHeatmap;
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
  // The token-level map's window (created on the first request) and its heatmap.
  QDialog* tokenMapDialog() const { return tokenDialog_; }
  MatrixHeatmap* tokenMap() const { return tokenMap_; }
  const SweepSettings& settings() const { return settings_; }
  // What the token map shows: its placement, layer and heads.
  const PlacementRequest& tokenMapRequest() const { return tokenShown_; }
  int tokenMapLayer() const { return tokenLayer_; }
  HeadReduction tokenMapHeads() const { return tokenHeads_; }

public Q_SLOTS:
  void request(); // the placement the controls describe: from the cache, else asked for
  void onPositionCount(const QString& key, int count);
  void onPlacement(const QString& key, const poslab::PlacementDetails& details);
  void onFailed(const QString& key, const QString& message);
  void onTokenMap(const QString& key, const poslab::HeatmapMatrix& matrix);
  // The token map of `layer` for the placement shown, heads reduced as `heads` says.
  void requestTokenMap(int layer, const poslab::HeadReduction& heads);

Q_SIGNALS:
  void placementRequested(const poslab::PlacementRequest& request);
  void placementShown(const poslab::PlacementDetails& details);
  void tokenMapRequested(const poslab::PlacementRequest& request, int layer,
                         const poslab::HeadReduction& heads);
  void tokenMapShown(const poslab::HeatmapMatrix& matrix);

private:
  PlacementRequest current() const;

  QSpinBox* example_ = nullptr;
  QLabel* status_ = nullptr;
  PlacementExplorer* explorer_ = nullptr;
  SweepSettings settings_;
  QuerySelection query_ = QuerySelection::LastToken;
  QHash<QString, PlacementDetails> cache_;
  QString pending_;      // the key last asked for
  QString tokenPending_; // the placement key of the token map asked for
  PlacementRequest tokenAsked_, tokenShown_;
  int tokenLayer_ = 0, tokenLayerAsked_ = 0;
  HeadReduction tokenHeads_, tokenHeadsAsked_;
  QDialog* tokenDialog_ = nullptr;
  MatrixHeatmap* tokenMap_ = nullptr;
};

} // namespace poslab
