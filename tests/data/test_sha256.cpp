// Sha256 (OpenSSL's libcrypto behind our interface) pinned to digests computed
// elsewhere: the FIPS 180-4 example vectors, and `sha256sum` of real files, so
// the data fingerprints in every run folder stay what they were when we hashed
// by hand (and what users get from sha256sum).
#include "core/data/DataFingerprint.h"
#include "core/data/Sha256.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <algorithm>
#include <string>

using namespace poslab;

class TestSha256 : public QObject {
  Q_OBJECT

private Q_SLOTS:
  // NIST's examples for SHA-256 (FIPS 180-4; csrc.nist.gov "Examples with
  // intermediate values"): 0, 1 and 2 blocks of padding, and a long message.
  void nistVectors_data() {
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("digest");
    QTest::newRow("empty") << QByteArray()
                           << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    QTest::newRow("abc") << QByteArray("abc")
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    QTest::newRow("448 bits") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                              << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
    QTest::newRow("896 bits") << QByteArray("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                            "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu")
                              << "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
    QTest::newRow("a million a") << QByteArray(1'000'000, 'a')
                                 << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  }
  void nistVectors() {
    QFETCH(QByteArray, message);
    QFETCH(QString, digest);
    Sha256 whole;
    whole.update(message.constData(), size_t(message.size()));
    QCOMPARE(QString::fromStdString(whole.hexDigest()), digest);
    // Pieces that straddle the 64-byte block boundary give the same digest.
    for (qsizetype piece : {1, 63, 64, 65, 4096}) {
      Sha256 pieces;
      for (qsizetype at = 0; at < message.size(); at += piece)
        pieces.update(message.constData() + at, size_t(std::min(piece, message.size() - at)));
      QCOMPARE(QString::fromStdString(pieces.hexDigest()), digest);
    }
  }

  void digestStartsANewHash() {
    Sha256 hash;
    hash.update("abc");
    QCOMPARE(hash.hexDigest(),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(hash.hexDigest(),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    hash.update(nullptr, 0);
    hash.update("abc");
    QCOMPARE(hash.hexDigest(),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  }

  void copyContinuesOnItsOwn() {
    Sha256 ab;
    ab.update("ab");
    Sha256 abc = ab;
    abc.update("c");
    QCOMPARE(abc.hexDigest(),
             std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(ab.hexDigest(), std::string("fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"));
    Sha256 assigned;
    assigned.update("unrelated");
    assigned = abc; // abc was reset by its digest: the empty hash
    QCOMPARE(assigned.hexDigest(),
             std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  }

  // `sha256sum FILE` of real files: the committed demo's data and tokenizer,
  // and ../shared's stories260K (also the checksum in its SOURCE.md). If the
  // demo is rebuilt, run sha256sum on the new files and update these rows.
  void fileFingerprints_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("digest");
    QTest::newRow("demo heldout") << QString::fromStdString(test::resourcePath("demo/heldout.jsonl.gz"))
                                  << "51f449fc6df556a8645c94accfb6e9f66c722421125e7d871f679080528283b6";
    QTest::newRow("demo tokenizer") << QString::fromStdString(
                                           test::resourcePath("demo/poslab-demo-llama/tokenizer.model"))
                                    << "b610b350bd57a9aac12a83c3ee3df1a70a0487861badea3282a2cd60c3d3353c";
    QTest::newRow("stories260K") << QString::fromStdString(
                                        test::sharedPath("models/stories260K/stories260K.gguf"))
                                 << "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";
  }
  void fileFingerprints() {
    QFETCH(QString, path);
    QFETCH(QString, digest);
    QCOMPARE(QString::fromStdString(DataFingerprint::ofFile(path.toStdString())), "sha256:" + digest);
  }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "test_sha256.moc"
