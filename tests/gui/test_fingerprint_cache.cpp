// FingerprintCache: the same fingerprints as core's ModelFingerprint and
// DataFingerprint, computed once per file as it is on disk (a changed file is
// hashed anew), a missing file an error rather than a throw, and computeAll
// filling the cache from the pool with its progress counted per file.
#include "app/gui/FingerprintCache.h"
#include "core/data/DataFingerprint.h"
#include "core/engine/ModelFingerprint.h"
#include "tests/util/TestPaths.h"

#include <QFutureWatcher>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;
using Kind = FingerprintCache::Kind;

namespace {

void writeText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

} // namespace

class TestFingerprintCache : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void hashesOnceUntilTheFileChanges() {
    const std::string dir = test::tempDir("fingerprint-cache");
    const std::string data = dir + "/data.jsonl";
    writeText(data, "{\"question\": \"q\"}\n");
    FingerprintCache cache;
    const QString path = QString::fromStdString(data);
    QVERIFY(!cache.find(Kind::Data, path));
    const FingerprintCache::Entry first = cache.get(Kind::Data, path);
    QVERIFY2(first.error.isEmpty(), qPrintable(first.error));
    QCOMPARE(first.fingerprint.toStdString(), DataFingerprint::ofFile(data));
    QVERIFY(cache.find(Kind::Data, path));
    QCOMPARE(cache.find(Kind::Data, path)->fingerprint, first.fingerprint);
    QVERIFY(!cache.find(Kind::Model, path)); // kinds are kept apart

    writeText(data, "{\"question\": \"another, longer\"}\n");
    QVERIFY(!cache.find(Kind::Data, path)); // changed on disk: not the cached one
    const FingerprintCache::Entry second = cache.get(Kind::Data, path);
    QCOMPARE(second.fingerprint.toStdString(), DataFingerprint::ofFile(data));
    QVERIFY(second.fingerprint != first.fingerprint);
  }

  void missingFileIsAnError() {
    FingerprintCache cache;
    const QString path = QString::fromStdString(test::tempDir("fingerprint-missing") + "/none.jsonl");
    const FingerprintCache::Entry e = cache.get(Kind::Data, path);
    QVERIFY(e.fingerprint.isEmpty());
    QVERIFY2(e.error.contains("none.jsonl"), qPrintable(e.error));
  }

  void computeAllFillsTheCache() {
    auto cache = std::make_shared<FingerprintCache>();
    const std::string model = test::resourcePath("demo/poslab-demo-llama");
    const std::string data = test::resourcePath("demo/heldout.jsonl.gz");
    QFutureWatcher<void> watcher;
    QSignalSpy finished(&watcher, &QFutureWatcher<void>::finished);
    watcher.setFuture(FingerprintCache::computeAll(
        cache, {{Kind::Model, QString::fromStdString(model)}, {Kind::Data, QString::fromStdString(data)}}));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60'000);
    QCOMPARE(watcher.progressValue(), 2);
    QCOMPARE(cache->find(Kind::Model, QString::fromStdString(model))->fingerprint.toStdString(),
             ModelFingerprint::of(model));
    QCOMPARE(cache->find(Kind::Data, QString::fromStdString(data))->fingerprint.toStdString(),
             DataFingerprint::ofFile(data));
  }
};

QTEST_MAIN(TestFingerprintCache)
#include "test_fingerprint_cache.moc"
