// The Aggregate view keeps its results in the workspace, on the bundled demo,
// offscreen: the export bundle hashes the model and data on the pool (the
// export returns before it is written and the event loop keeps ticking); a
// small aggregate is computed and <workspace>/aggregates/<id>/aggregate.json
// holds exactly the matrix shown; after a "restart" (a new MainWindow on the
// same workspace, no model loaded) it is listed and reopens with identical
// numbers, and a bundle records its source from the file; a corrupt file is a
// one-line message naming the file and the field, and the others still load.
#include "app/gui/AggregatePanel.h"
#include "app/gui/AggregateStore.h"
#include "app/gui/ExplorerPanel.h"
#include "app/gui/MainWindow.h"
#include "app/gui/SweepPanel.h"
#include "core/data/DataFingerprint.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/gui/LabWindow.h"
#include "tests/gui/StallMeter.h"
#include "tests/util/TestPaths.h"
#include "widgets/AttentionMassHeatmap.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

using namespace poslab;

namespace {

constexpr int kWorkMs = 300'000;

bool sameFloats(const QVector<float>& a, const QVector<float>& b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i)
    if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && a[i] != b[i])) return false;
  return true;
}

QJsonObject figureSource(const QString& bundle, const QString& name) {
  QFile file(bundle + "/manifest.json");
  if (!file.open(QIODevice::ReadOnly)) return {};
  for (const auto& f : QJsonDocument::fromJson(file.readAll()).object()["figures"].toArray())
    if (f.toObject()["name"].toString() == name) return f.toObject()["source"].toObject();
  return {};
}

} // namespace

class TestAggregatePanel : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    workspace_ = test::isolatedWorkspace("test_aggregate_panel", "aggregate-panel");
    model_ = QDir::cleanPath(QString::fromStdString(test::resourcePath("demo/poslab-demo-llama")));
    data_ = QDir::cleanPath(QString::fromStdString(test::resourcePath("demo/heldout.jsonl.gz")));
    window_ = std::make_unique<MainWindow>();
    QVERIFY(test::showWithModel(*window_, model_, {1200, 800}));
    window_->sweepPanel()->setDataPath(data_);
  }
  void cleanupTestCase() {
    window_.reset();
    QSettings().clear();
  }

  void bundleHashesOnThePool() {
    ExplorerPanel* explorer = window_->explorerPanel();
    QSignalSpy shown(explorer, &ExplorerPanel::placementShown);
    window_->showView("explore");
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, kWorkMs);
    const QString folder = QString::fromStdString(test::tempDir("aggregate-panel-bundle1")) + "/bundle";
    QSignalSpy exported(window_.get(), &MainWindow::bundleExported);
    test::StallMeter meter;
    window_->startBundleExport(folder);
    // Nothing is hashed yet, so the export waits for the pool instead of blocking here.
    QCOMPARE(exported.count(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 60'000);
    QVERIFY2(exported.at(0).at(1).toBool(), qPrintable(exported.at(0).at(2).toString()));
    QCOMPARE(exported.at(0).at(0).toString(), folder);
    qInfo("export: worst event-loop gap %lld ms over %d ticks", meter.worstGapMs(), meter.ticks());
    const QJsonObject source = figureSource(folder, "placement_attention");
    QCOMPARE(source["data"].toObject()["fingerprint"].toString().toStdString(),
             DataFingerprint::ofFile(data_.toStdString()));
    QVERIFY(source["model"].toObject()["fingerprint"].toString().startsWith("quick-sha256:"));
    QVERIFY(!source.contains("error"));
  }

  void aggregateIsKeptAndReopensAfterRestart() {
    AggregatePanel* panel = window_->aggregatePanel();
    window_->showView("aggregate");
    panel->setExamples(2);
    QSignalSpy done(window_.get(), &MainWindow::aggregateDone);
    QSignalSpy stored(panel, &AggregatePanel::stored);
    panel->requestCompute();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, kWorkMs);
    QCOMPARE(done.at(0).at(0).toBool(), true);
    QCOMPARE(stored.count(), 1);
    const QString id = stored.at(0).at(0).toString();
    QVERIFY2(!id.isEmpty(), qPrintable(stored.at(0).at(2).toString()));
    QVERIFY2(id.startsWith("aggregate-") && id.endsWith("-heldout"), qPrintable(id));
    QCOMPARE(AggregateStore::list(workspace_), QStringList{id});
    QVERIFY2(panel->statusText().contains(id), qPrintable(panel->statusText()));

    // The file holds the matrix shown, number for number.
    const AttentionMassGrid grid = panel->heatmap()->matrix();
    QCOMPARE(grid.documents, 20); // the demo's documents per prompt
    QCOMPARE(grid.goldPositions, 20);
    QCOMPARE(grid.counts, QVector<int>(20, 2));
    QCOMPARE(grid.layers, 2);
    std::ifstream in(AggregateStore::file(workspace_, id).toStdString());
    const nlohmann::json j = nlohmann::json::parse(in);
    QCOMPARE(j["complete"].get<bool>(), true);
    QCOMPARE(j["examples_requested"].get<int>(), 2);
    QCOMPARE(j["query"].get<std::string>(), std::string("last"));
    QCOMPARE(j["settings"]["data"].get<std::string>(), data_.toStdString());
    QCOMPARE(j["model"]["path"].get<std::string>(), model_.toStdString());
    QVERIFY(j["model"]["fingerprint"].get<std::string>().rfind("quick-sha256:", 0) == 0);
    QCOMPARE(j["data"]["fingerprint"].get<std::string>(), DataFingerprint::ofFile(data_.toStdString()));
    for (int g = 0; g < grid.goldPositions; ++g)
      for (int d = 0; d < grid.documents; ++d)
        QCOMPARE(j["grid"]["mass"][static_cast<size_t>(g)][static_cast<size_t>(d)].get<float>(),
                 grid.at(d, g));
    const QString fingerprint = QString::fromStdString(j["model"]["fingerprint"].get<std::string>());

    window_.reset(); // as when the app closes
    MainWindow again;
    again.resize(1200, 800);
    AggregatePanel* reopened = again.aggregatePanel();
    QVERIFY(!reopened->hasResult());
    auto* saved = reopened->findChild<QComboBox*>("aggregateSaved");
    QCOMPARE(saved->count(), 1);
    QCOMPARE(saved->itemData(0).toString(), id);
    QVERIFY2(saved->itemText(0).endsWith(" · heldout"), qPrintable(saved->itemText(0)));
    Q_EMIT saved->activated(0); // as a user choosing it
    QVERIFY(reopened->hasResult());
    const AttentionMassGrid back = reopened->heatmap()->matrix();
    QCOMPARE(back.documents, grid.documents);
    QCOMPARE(back.goldPositions, grid.goldPositions);
    QVERIFY(sameFloats(back.mass, grid.mass));
    QCOMPARE(back.counts, grid.counts);
    QCOMPARE(back.layers, grid.layers);
    QVERIFY(sameFloats(back.perLayer, grid.perLayer));
    QCOMPARE(back.description, grid.description);

    // No model is loaded now: the bundle's source is the file's, not the engine's.
    const QString folder = QString::fromStdString(test::tempDir("aggregate-panel-bundle2")) + "/bundle";
    QString error;
    QVERIFY2(again.exportBundle(folder, &error), qPrintable(error));
    const QJsonObject source = figureSource(folder, "attention_mass");
    QCOMPARE(source["aggregate"].toString(), id);
    QCOMPARE(source["model"].toObject()["path"].toString(), model_);
    QCOMPARE(source["model"].toObject()["fingerprint"].toString(), fingerprint);
    QCOMPARE(source["data"].toObject()["fingerprint"].toString().toStdString(),
             DataFingerprint::ofFile(data_.toStdString()));
    QCOMPARE(source["settings"].toObject()["data"].toString(), data_);
    QCOMPARE(source["examples"].toInt(), 2);
  }

  void corruptFileIsAReadableMessage() {
    const QString good = AggregateStore::list(workspace_).value(0);
    QVERIFY(!good.isEmpty());
    // An older copy with its matrix cut off, and a newer one that is not JSON at all.
    const QString spoiled = "aggregate-20000101-000000-spoiled", torn = "aggregate-29990101-000000-torn";
    for (const QString& id : {spoiled, torn})
      QVERIFY(QDir().mkpath(QFileInfo(AggregateStore::file(workspace_, id)).absolutePath()));
    {
      std::ifstream in(AggregateStore::file(workspace_, good).toStdString());
      nlohmann::json j = nlohmann::json::parse(in);
      j["grid"].erase("mass");
      std::ofstream(AggregateStore::file(workspace_, spoiled).toStdString()) << j.dump();
      std::ofstream(AggregateStore::file(workspace_, torn).toStdString()) << "{\"format\": \"poslab-aggr";
    }
    MainWindow window;
    AggregatePanel* panel = window.aggregatePanel();
    QCOMPARE(panel->findChild<QComboBox*>("aggregateSaved")->count(), 3);
    QCOMPARE(AggregateStore::list(workspace_), (QStringList{torn, good, spoiled}));
    QVERIFY(!panel->showSaved(spoiled));
    QString message = panel->statusText();
    QVERIFY2(message.contains(spoiled + "/aggregate.json") && message.contains("grid.mass") &&
                 !message.contains('\n'),
             qPrintable(message));
    QVERIFY(!panel->hasResult());
    QVERIFY(!panel->showSaved(torn));
    message = panel->statusText();
    QVERIFY2(message.contains(torn + "/aggregate.json") && !message.contains('\n'), qPrintable(message));
    QVERIFY(panel->showSaved(good)); // the others still load
    QCOMPARE(panel->heatmap()->matrix().goldPositions, 20);
  }

private:
  std::unique_ptr<MainWindow> window_;
  QString workspace_, model_, data_;
};

QTEST_MAIN(TestAggregatePanel)
#include "test_aggregate_panel.moc"
