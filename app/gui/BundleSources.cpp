#include "app/gui/BundleSources.h"

#include "app/gui/AggregatePanel.h"
#include "app/gui/AggregateStore.h"
#include "app/gui/BeforeAfterView.h"
#include "app/gui/BundleRunSource.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/JobPage.h"
#include "app/gui/SweepPanel.h"
#include "app/gui/TrainPanel.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/EvalCurvesPlot.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/SweepPlot.h"

#include <QDir>
#include <QJsonArray>

namespace poslab {

QVector<BundleFigure> BundleSources::collect(const LabViews& views, const LoadedModel& loaded,
                                             const FingerprintCache& fingerprints,
                                             QVector<FingerprintCache::Request>* missing) {
  QVector<BundleFigure> figures;
  const QString runs = QDir(views.sweep->workspace()).filePath("runs");
  SweepPlot* plot = views.sweep->plot();
  if (!plot->runs().isEmpty()) {
    QJsonArray sources;
    for (const QString& run : plot->runs())
      if (plot->isRunVisible(run)) sources.append(BundleRunSource::read(QDir(runs).filePath(run)));
    figures.append({"accuracy_vs_position", plot, QJsonObject{{"kind", "sweep"}, {"runs", sources}}});
  }
  if (!views.depth->shownStudy().isEmpty()) {
    QJsonArray sources;
    for (const QString& dir : views.depth->shownRuns())
      sources.append(BundleRunSource::read(dir));
    figures.append({"depth_vs_documents", views.depth->heatmap(),
                    QJsonObject{{"kind", "depth"}, {"study", views.depth->shownStudy()}, {"runs", sources}}});
  }
  // A fingerprint from the cache; one not computed yet is asked for (and "" meanwhile).
  const auto fingerprint = [&fingerprints, missing](FingerprintCache::Kind kind, const QString& path,
                                                    QString* error) {
    if (const std::optional<FingerprintCache::Entry> e = fingerprints.find(kind, path)) {
      if (!e->error.isEmpty() && error->isEmpty()) *error = e->error;
      return e->fingerprint;
    }
    if (missing && !missing->contains(FingerprintCache::Request{kind, path})) missing->append({kind, path});
    if (error->isEmpty()) *error = QObject::tr("%1: fingerprint not computed").arg(path);
    return QString();
  };
  // Explorer figures (and an aggregate not kept yet) come from the model in memory and the dataset.
  const auto engineSource = [&loaded, &fingerprint](const SweepSettings& settings, const QString& kind) {
    QJsonObject source{{"kind", kind}, {"settings", BundleRunSource::toQt(settings.toJson())}};
    QString error;
    const QString dataPath = QString::fromStdString(settings.dataPath);
    source["model"] =
        QJsonObject{{"path", loaded.path},
                    {"device", loaded.device},
                    {"dtype", loaded.dtype},
                    {"fingerprint", fingerprint(FingerprintCache::Kind::Model, loaded.path, &error)}};
    source["data"] = QJsonObject{
        {"path", dataPath}, {"fingerprint", fingerprint(FingerprintCache::Kind::Data, dataPath, &error)}};
    if (!error.isEmpty()) source["error"] = error;
    return source;
  };
  const auto headsName = [](const HeadReduction& heads) {
    return heads.kind == HeadReduction::Single ? QString("head %1").arg(heads.head)
           : heads.kind == HeadReduction::Max  ? QString("max")
                                               : QString("mean");
  };
  if (const SavedAggregate* shown = views.aggregate->shown()) {
    // A kept (or reopened) aggregate: as its file records it, whatever model is loaded now.
    SavedAggregate a = *shown;
    if (a.id.isEmpty()) { // its save is still hashing, or failed
      a.fingerprintError.clear();
      a.modelFingerprint = fingerprint(FingerprintCache::Kind::Model, a.modelPath, &a.fingerprintError);
      a.dataFingerprint = fingerprint(FingerprintCache::Kind::Data, a.dataPath, &a.fingerprintError);
    }
    figures.append({"attention_mass", views.aggregate->heatmap(), AggregateStore::bundleSource(a)});
  }
  const PlacementDetails& shown = views.explorer->explorer()->details();
  if (shown.attention.layers > 0) {
    QJsonObject source = engineSource(views.explorer->settings(), "placement");
    source["example"] = shown.example;
    source["gold_position"] = shown.goldPosition;
    source["query"] = AggregateStore::queryName(shown.attention.query);
    source["heads"] = headsName(views.explorer->explorer()->attentionHeatmap()->headSelection());
    figures.append({"placement_attention", views.explorer->explorer()->attentionHeatmap(), source});
  }
  if (MatrixHeatmap* tokens = views.explorer->tokenMap(); tokens && tokens->matrix().rows > 0) {
    const PlacementRequest& r = views.explorer->tokenMapRequest();
    QJsonObject source = engineSource(r.settings, "token_map");
    source["example"] = r.example;
    source["gold_position"] = r.position;
    source["query"] = AggregateStore::queryName(r.query);
    source["layer"] = views.explorer->tokenMapLayer();
    source["heads"] = headsName(views.explorer->tokenMapHeads());
    figures.append({"token_attention", tokens, source});
  }
  // The job shown in the Train view: its curves, with the run's settings and
  // fingerprints (run.json) as their source.
  const JobSnapshot& job = views.train->page()->snapshot();
  if (!job.steps.empty() || !job.evals.empty()) {
    const QJsonObject source{{"kind", "training"},
                             {"run", QString::fromStdString(job.runDir)},
                             {"run_json", BundleRunSource::toQt(job.runJson)}};
    const BeforeAfterView* beforeAfter = views.train->page()->beforeAfter();
    for (const auto& [figure, stem] : views.train->page()->figures()) {
      if (figure == beforeAfter->plot()) {
        // The two held-out sweeps compared, each with what regenerates it.
        if (beforeAfter->baseRun().isEmpty()) continue;
        QJsonObject both = source;
        both["kind"] = "before_after";
        both["runs"] = QJsonArray{BundleRunSource::read(beforeAfter->baseRun()),
                                  BundleRunSource::read(beforeAfter->afterRun())};
        figures.append({stem, figure, both});
        continue;
      }
      const bool empty = figure == views.train->page()->evalPlot() ? job.evals.empty() : job.steps.empty();
      if (!empty) figures.append({stem, figure, source});
    }
    // Fig. 7 before and after, when computed: the attention matrices' own files
    // record the model, data and prompt settings that made them.
    const AttentionMassHeatmap* masses[2] = {beforeAfter->baseAttention(), beforeAfter->afterAttention()};
    if (masses[0]->matrix().documents > 0 && masses[1]->matrix().documents > 0) {
      const char* stems[2] = {"attention_mass_before", "attention_mass_after"};
      const QString files[2] = {beforeAfter->attentionFile(0), beforeAfter->attentionFile(1)};
      for (int i = 0; i < 2; ++i) {
        QJsonObject mass = source;
        mass["kind"] = "attention_mass";
        mass["file"] = files[i];
        figures.append({stems[i], masses[i], mass});
      }
    }
  }
  return figures;
}

} // namespace poslab
