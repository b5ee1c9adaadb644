// Aggregates kept in the workspace (AggregateStore): what is saved reads back
// identically (every number, NaN rows of positions no example reached, the
// per-layer matrices, settings and fingerprints); the folder listing is newest
// first; each way a file can be corrupt or incomplete is refused with one line
// naming aggregate.json and the field; the bundle's source is the file's.
#include "app/gui/AggregateStore.h"
#include "core/sweep/SweepSettings.h"
#include "tests/util/TestPaths.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest/QtTest>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

using namespace poslab;
using nlohmann::json;

Q_DECLARE_METATYPE(std::function<void(json&)>)

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// 3 documents × 2 gold positions, 2 layers; the second position has no example (a cancelled run).
SavedAggregate sample(const QString& id) {
  SavedAggregate a;
  a.id = id;
  AttentionMassGrid& g = a.grid;
  g.documents = 3;
  g.goldPositions = 2;
  g.mass = {0.5f, 0.1234567f, 0.0f, kNaN, kNaN, kNaN};
  g.counts = {4, 0};
  g.layers = 2;
  g.perLayer = {0.25f, 0.2f, 0.3f, kNaN, kNaN, kNaN, 0.75f, 0.0468f, 1e-7f, kNaN, kNaN, kNaN};
  g.description = "last prompt token, mean over layers and heads, 4 examples";
  a.complete = false;
  a.query = QuerySelection::Question;
  a.examples = 4;
  SweepSettings s;
  s.dataPath = "data/heldout.jsonl.gz";
  s.docs = 3;
  a.settings = s.toJson();
  a.modelPath = "models/demo";
  a.device = "cpu";
  a.dtype = "f32";
  a.modelFingerprint = "quick-sha256:abc";
  a.dataPath = "data/heldout.jsonl.gz";
  a.dataFingerprint = "sha256:def";
  a.version = "1.2.3";
  a.started = QDateTime(QDate(2025, 3, 1), QTime(12, 0, 0, 250), Qt::UTC);
  a.finished = a.started.addSecs(42);
  return a;
}

bool sameFloats(const QVector<float>& a, const QVector<float>& b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i)
    if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && a[i] != b[i])) return false;
  return true;
}

json readJson(const QString& path) {
  std::ifstream in(path.toStdString());
  return json::parse(in);
}

void writeText(const QString& path, const std::string& text) {
  std::ofstream out(path.toStdString(), std::ios::binary | std::ios::trunc);
  out << text;
}

} // namespace

class TestAggregateStore : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void roundTripKeepsEveryNumber() {
    const QString ws = QString::fromStdString(test::tempDir("agg-store-round"));
    const SavedAggregate a = sample("aggregate-20250301-120000-heldout");
    QString error;
    QVERIFY2(AggregateStore::save(ws, a, &error), qPrintable(error));
    const QString file = AggregateStore::file(ws, a.id);
    QCOMPARE(file, ws + "/aggregates/" + a.id + "/aggregate.json");
    // Written under a temporary name and renamed: only the file is left.
    QCOMPARE(QDir(QFileInfo(file).absolutePath()).entryList(QDir::Files), QStringList{"aggregate.json"});
    const json j = readJson(file);
    QVERIFY(j["grid"]["mass"][1][0].is_null()); // NaN (no example) is written as null
    QCOMPARE(j["grid"]["per_layer"].size(), size_t{2});

    const std::optional<SavedAggregate> b = AggregateStore::load(ws, a.id, &error);
    QVERIFY2(b, qPrintable(error));
    QCOMPARE(b->id, a.id);
    QCOMPARE(b->grid.documents, 3);
    QCOMPARE(b->grid.goldPositions, 2);
    QVERIFY(sameFloats(b->grid.mass, a.grid.mass));
    QCOMPARE(b->grid.counts, a.grid.counts);
    QCOMPARE(b->grid.layers, 2);
    QVERIFY(sameFloats(b->grid.perLayer, a.grid.perLayer));
    QCOMPARE(b->grid.description, a.grid.description);
    QCOMPARE(b->complete, false);
    QCOMPARE(b->query, QuerySelection::Question);
    QCOMPARE(b->examples, 4);
    QCOMPARE(b->settings, a.settings);
    QCOMPARE(b->modelPath, a.modelPath);
    QCOMPARE(b->device, a.device);
    QCOMPARE(b->dtype, a.dtype);
    QCOMPARE(b->modelFingerprint, a.modelFingerprint);
    QCOMPARE(b->dataPath, a.dataPath);
    QCOMPARE(b->dataFingerprint, a.dataFingerprint);
    QCOMPARE(b->version, a.version);
    QCOMPARE(b->started, a.started);
    QCOMPARE(b->finished, a.finished);
  }

  void listsNewestFirstAndTakesFreshIds() {
    const QString ws = QString::fromStdString(test::tempDir("agg-store-list"));
    QVERIFY(AggregateStore::list(ws).isEmpty());
    for (const char* id : {"aggregate-20240101-000000-a", "aggregate-20250101-000000-b"})
      QVERIFY(AggregateStore::save(ws, sample(id)));
    QVERIFY(QDir().mkpath(ws + "/aggregates/aggregate-20260101-000000-empty")); // no aggregate.json
    QCOMPARE(AggregateStore::list(ws),
             (QStringList{"aggregate-20250101-000000-b", "aggregate-20240101-000000-a"}));

    const QString first = AggregateStore::newId(ws, "/somewhere/heldout.jsonl.gz");
    QVERIFY2(QRegularExpression("^aggregate-\\d{8}-\\d{6}-heldout$").match(first).hasMatch(),
             qPrintable(first));
    QVERIFY(QDir().mkpath(ws + "/aggregates/" + first));
    const QString second = AggregateStore::newId(ws, "/somewhere/heldout.jsonl.gz");
    QVERIFY2(second != first && second.startsWith(first), qPrintable(second));
  }

  void corruptFilesAreOneLineNamingTheField_data() {
    QTest::addColumn<std::function<void(json&)>>("spoil");
    QTest::addColumn<QString>("field");
    using Spoil = std::function<void(json&)>;
    QTest::newRow("mass missing") << Spoil([](json& j) { j["grid"].erase("mass"); }) << "grid.mass";
    QTest::newRow("row too short") << Spoil([](json& j) { j["grid"]["mass"][1] = json::array({0.1}); })
                                   << "grid.mass[1]";
    QTest::newRow("share above 1") << Spoil([](json& j) { j["grid"]["mass"][0][2] = 7; })
                                   << "grid.mass[0][2]";
    QTest::newRow("mass not numbers")
        << Spoil([](json& j) { j["grid"]["mass"][0][1] = "x"; }) << "grid.mass[0][1]";
    QTest::newRow("counts short") << Spoil([](json& j) { j["grid"]["counts"] = json::array({1}); })
                                  << "grid.counts";
    QTest::newRow("no documents") << Spoil([](json& j) { j["grid"]["documents"] = 0; }) << "grid.documents";
    QTest::newRow("layer missing") << Spoil([](json& j) { j["grid"]["per_layer"].erase(1); })
                                   << "grid.per_layer";
    QTest::newRow("complete not bool") << Spoil([](json& j) { j["complete"] = "yes"; }) << "complete";
    QTest::newRow("unknown query") << Spoil([](json& j) { j["query"] = "middle"; }) << "query";
    QTest::newRow("no fingerprint") << Spoil([](json& j) { j["model"].erase("fingerprint"); })
                                    << "model.fingerprint";
    QTest::newRow("data not object") << Spoil([](json& j) { j["data"] = 3; }) << "data.path";
    QTest::newRow("settings missing") << Spoil([](json& j) { j.erase("settings"); }) << "settings";
    QTest::newRow("bad time") << Spoil([](json& j) { j["finished"] = "yesterday"; }) << "finished";
    QTest::newRow("other format") << Spoil([](json& j) { j["format"] = "poslab-sweep"; }) << "format";
    QTest::newRow("future version") << Spoil([](json& j) { j["format_version"] = 99; }) << "format_version";
    QTest::newRow("not an object") << Spoil([](json& j) { j = json::array(); }) << "JSON object";
  }

  void corruptFilesAreOneLineNamingTheField() {
    QFETCH(std::function<void(json&)>, spoil);
    QFETCH(QString, field);
    const QString ws = QString::fromStdString(test::tempDir("agg-store-corrupt"));
    const SavedAggregate a = sample("aggregate-20250301-120000-heldout");
    QVERIFY(AggregateStore::save(ws, a));
    json j = readJson(AggregateStore::file(ws, a.id));
    spoil(j);
    writeText(AggregateStore::file(ws, a.id), j.dump(1));
    QString error;
    QVERIFY(!AggregateStore::load(ws, a.id, &error));
    QVERIFY2(error.contains("aggregate.json") && error.contains(field) && !error.contains('\n'),
             qPrintable(error));
  }

  void truncatedFileIsRefused() {
    const QString ws = QString::fromStdString(test::tempDir("agg-store-truncated"));
    const SavedAggregate a = sample("aggregate-20250301-120000-heldout");
    QVERIFY(AggregateStore::save(ws, a));
    const QString file = AggregateStore::file(ws, a.id);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray all = f.readAll();
    f.close();
    writeText(file, all.left(all.size() / 2).toStdString());
    QString error;
    QVERIFY(!AggregateStore::load(ws, a.id, &error));
    QVERIFY2(error.contains(file) && error.contains("not valid JSON") && !error.contains('\n'),
             qPrintable(error));
    QVERIFY(!AggregateStore::load(ws, "aggregate-none", &error));
    QVERIFY2(error.contains("aggregate-none/aggregate.json"), qPrintable(error));
  }

  void bundleSourceIsTheFiles() {
    SavedAggregate a = sample("aggregate-20250301-120000-heldout");
    const QJsonObject s = AggregateStore::bundleSource(a);
    QCOMPARE(s["kind"].toString(), QString("aggregate"));
    QCOMPARE(s["aggregate"].toString(), a.id);
    QCOMPARE(s["model"].toObject()["fingerprint"].toString(), QString("quick-sha256:abc"));
    QCOMPARE(s["model"].toObject()["path"].toString(), QString("models/demo"));
    QCOMPARE(s["data"].toObject()["fingerprint"].toString(), QString("sha256:def"));
    QCOMPARE(s["settings"].toObject()["data"].toString(), QString("data/heldout.jsonl.gz"));
    QCOMPARE(s["examples"].toInt(), 4);
    QCOMPARE(s["query"].toString(), QString("question"));
    QVERIFY(!s.contains("error"));
  }
};

QTEST_MAIN(TestAggregateStore)
#include "test_aggregate_store.moc"
