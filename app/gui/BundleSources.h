#pragma once
// What File → Export Bundle writes: every figure the views hold data for, each
// with its source (the runs, settings, model and data fingerprints that
// regenerate it). Read from the views on the GUI thread; fingerprints come from
// the cache only, those not computed yet are listed in `missing`.
#include "app/gui/BundleExporter.h"
#include "app/gui/FingerprintCache.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace poslab {

class AggregatePanel;
class DepthPanel;
class ExplorerPanel;
class SweepPanel;
class TrainPanel;

class BundleSources {
public:
  struct LabViews {
    SweepPanel* sweep = nullptr;
    ExplorerPanel* explorer = nullptr;
    AggregatePanel* aggregate = nullptr;
    DepthPanel* depth = nullptr;
    TrainPanel* train = nullptr;
  };
  struct LoadedModel { // the model in memory, for figures computed from it
    QString path, device, dtype;
  };

  static QVector<BundleFigure> collect(const LabViews& views, const LoadedModel& loaded,
                                       const FingerprintCache& fingerprints,
                                       QVector<FingerprintCache::Request>* missing);
};

} // namespace poslab
