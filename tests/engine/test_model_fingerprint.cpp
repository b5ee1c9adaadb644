// ModelFingerprint pinned to digests computed outside PosLab with a shell
// pipeline that follows its recipe (ModelFingerprint.h): for each file, sorted
// by name, "<name>\n<size>\n" and then its bytes (the first and last 4 MiB of a
// file over 64 MiB), all through `sha256sum`. E.g. for a folder:
//   for f in $(LC_ALL=C ls); do printf '%s\n%s\n' "$f" "$(stat -c %s "$f")"; cat "$f"; done | sha256sum
// These are the fingerprints in run folders users already have: a change of
// hashing library (or of the recipe) must not move them.
#include "core/engine/ModelFingerprint.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

using namespace poslab;

class TestModelFingerprint : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void realModels_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("fingerprint");
    QTest::newRow("gguf file")
        << QString::fromStdString(test::sharedPath("models/stories260K/stories260K.gguf"))
        << "quick-sha256:02ed5ea86fabaf33dea74f945fcdbe101de9d129ee127c0de1bc8952ca581244";
    QTest::newRow("folder")
        << QString::fromStdString(test::sharedPath("models/llama2-tokenizer"))
        << "quick-sha256:9132b3754d60d7f019c991738bbba335de6c37b948f0887db179b3cea253c808";
  }
  void realModels() {
    QFETCH(QString, path);
    QFETCH(QString, fingerprint);
    QCOMPARE(QString::fromStdString(ModelFingerprint::of(path.toStdString())), fingerprint);
  }

  // A 65 MiB file (sparse: all zeros) is hashed by its first and last 4 MiB:
  //   { printf 'zeros.bin\n68157440\n'; head -c 8388608 /dev/zero; } | sha256sum
  void largeFileHashesItsEnds() {
    const auto file = std::filesystem::path(test::tempDir("model-fingerprint")) / "zeros.bin";
    std::ofstream(file, std::ios::binary).close();
    std::filesystem::resize_file(file, 65ull << 20);
    QCOMPARE(ModelFingerprint::of(file.string()),
             std::string("quick-sha256:2066b09f36a3e23066517596758ef24b36f1f9197de1c4d4f9f2f4d02c07c76d"));
    std::filesystem::remove_all(file.parent_path());
  }
};

QTEST_GUILESS_MAIN(TestModelFingerprint)
#include "test_model_fingerprint.moc"
