// Explore's two caches never serve a result made with other settings: the
// placement cache (ExplorerPanel, keyed by PlacementRequest::key()) misses when
// any option changes, and PlacementBuilder reloads its examples when a dataset
// option changes them (limit, task, format, random distractors, ...), while
// prompt-only options keep the loaded examples.
#include "app/gui/ExplorerPanel.h"
#include "app/gui/PlacementBuilder.h"
#include "core/engine/Engine.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/util/Error.h"
#include "tests/sweep/SweepTestData.h"
#include "tests/util/TestPaths.h"

#include <QSignalSpy>
#include <QtTest/QtTest>
#include <functional>

using namespace poslab;

namespace {

using Change = std::function<void(SweepSettings&)>;

// One row per option: its name and a change away from the defaults.
void optionRows() {
  QTest::addColumn<Change>("change");
  QTest::addColumn<bool>("changesExamples");
  QTest::newRow("data path") << Change([](SweepSettings& s) { s.dataPath += ".other"; }) << true;
  QTest::newRow("data format") << Change([](SweepSettings& s) { s.dataFormat = "litm-qa"; }) << true;
  QTest::newRow("task") << Change([](SweepSettings& s) { s.task = "kv"; }) << true;
  QTest::newRow("limit") << Change([](SweepSettings& s) { s.limit = 2; }) << true;
  QTest::newRow("skip bad") << Change([](SweepSettings& s) { s.skipBad = true; }) << true;
  QTest::newRow("random distractors") << Change([](SweepSettings& s) { s.randomDistractors = 3; }) << true;
  QTest::newRow("distractor seed") << Change([](SweepSettings& s) { s.distractorSeed = 7; }) << true;
  QTest::newRow("documents") << Change([](SweepSettings& s) { s.docs = 3; }) << false;
  QTest::newRow("shuffle seed") << Change([](SweepSettings& s) { s.shuffleSeed = 11; }) << false;
  QTest::newRow("prompt template") << Change([](SweepSettings& s) { s.promptTemplate = "qa_query_aware"; })
                                   << false;
  QTest::newRow("chat template") << Change([](SweepSettings& s) { s.chatTemplate = "none"; }) << false;
  QTest::newRow("system message") << Change([](SweepSettings& s) { s.system = "Be brief."; }) << false;
  QTest::newRow("max new tokens") << Change([](SweepSettings& s) { s.maxNewTokens = 5; }) << false;
  QTest::newRow("closed book") << Change([](SweepSettings& s) { s.closedBook = true; }) << false;
  QTest::newRow("dtype") << Change([](SweepSettings& s) { s.dtype = "bf16"; }) << false;
  QTest::newRow("adapter") << Change([](SweepSettings& s) { s.adapterPath = "adapter"; }) << false;
}

} // namespace

Q_DECLARE_METATYPE(Change)

class TestPlacementCache : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    dataPath_ = test::writeStoryQa(test::tempDir("placement-cache") + "/stories.jsonl", 5, 5);
    test::writeStoryQa(dataPath_ + ".other", 5, 5); // for the "data path" row
  }

  void requestKeyNamesEverySetting_data() { optionRows(); }
  void requestKeyNamesEverySetting() {
    QFETCH(Change, change);
    PlacementRequest a;
    a.settings.dataPath = dataPath_;
    PlacementRequest b = a;
    QCOMPARE(a.key(), b.key());
    change(b.settings);
    QVERIFY2(a.key() != b.key(), qPrintable(a.key()));
  }

  // A placement computed once is shown from the cache; after the option
  // changes the panel asks the engine again instead.
  void explorerMissesAfterAnOptionChanges_data() { optionRows(); }
  void explorerMissesAfterAnOptionChanges() {
    QFETCH(Change, change);
    ExplorerPanel panel;
    SweepSettings settings;
    settings.dataPath = dataPath_;
    panel.setSettings(settings);
    QSignalSpy asked(&panel, &ExplorerPanel::placementRequested);
    QSignalSpy shown(&panel, &ExplorerPanel::placementShown);
    panel.request();
    QCOMPARE(asked.count(), 1);
    const PlacementRequest first = asked.at(0).at(0).value<PlacementRequest>();
    PlacementDetails details;
    details.documents.resize(5);
    panel.onPlacement(first.key(), details);
    QCOMPARE(shown.count(), 1);
    panel.request(); // the same settings: from the cache
    QCOMPARE(asked.count(), 1);
    QCOMPARE(shown.count(), 2);

    change(settings);
    panel.setSettings(settings);
    panel.request();
    QCOMPARE(shown.count(), 2);
    QCOMPARE(asked.count(), 2);
  }

  // Dataset options change the examples key; prompt-only options keep it, so
  // moving the template does not reload the file.
  void examplesKeyFollowsDatasetOptions_data() { optionRows(); }
  void examplesKeyFollowsDatasetOptions() {
    QFETCH(Change, change);
    QFETCH(bool, changesExamples);
    SweepSettings a;
    a.dataPath = dataPath_;
    SweepSettings b = a;
    change(b);
    QCOMPARE(ExperimentPrompts::examplesKey(a) != ExperimentPrompts::examplesKey(b), changesExamples);
  }

  // On the real model: the examples a builder loaded are not reused once a
  // dataset option changes them (a limit below the example, another task).
  void builderReloadsExamples() {
    const auto engine = Engine::open(test::sharedPath("models/stories260K/stories260K.gguf"));
    QVERIFY(engine);
    PlacementBuilder builder(*engine);
    PlacementRequest r;
    r.settings.dataPath = dataPath_;
    r.example = 3;
    QCOMPARE(builder.positionCount(r), 5);

    r.settings.limit = 2; // example 3 is no longer loaded
    QVERIFY_THROWS_EXCEPTION(Error, builder.positionCount(r));
    r.settings.limit = 0;
    QCOMPARE(builder.positionCount(r), 5);

    r.settings.task = "kv"; // the file holds QA examples: refused, not served from before
    QVERIFY_THROWS_EXCEPTION(Error, builder.positionCount(r));
    r.settings.task = "qa";
    QCOMPARE(builder.positionCount(r), 5);
  }

private:
  std::string dataPath_;
};

QTEST_MAIN(TestPlacementCache)
#include "test_placement_cache.moc"
