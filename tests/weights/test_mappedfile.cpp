// MappedFile: empty files, clear errors, and copy-on-write (writes never reach the file).
#include "core/util/Error.h"
#include "core/weights/MappedFile.h"
#include "tests/util/TestPaths.h"

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace poslab;

namespace {

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const std::string& path) {
  std::string bytes(std::filesystem::file_size(path), '\0');
  std::ifstream(path, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
}

template <typename F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return QString();
}

} // namespace

class TestMappedFile : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void mapsContents() {
    const auto path = test::tempDir("mapped") + "/a.bin";
    writeBytes(path, "hello weights");
    MappedFile f(path);
    QCOMPARE(f.size(), size_t(13));
    QCOMPARE(f.path(), path);
    QVERIFY(std::memcmp(f.data(), "hello weights", 13) == 0);
  }

  void emptyFileIsFine() {
    const auto path = test::tempDir("mapped-empty") + "/empty.bin";
    writeBytes(path, "");
    MappedFile f(path);
    QCOMPARE(f.size(), size_t(0));
    QVERIFY(f.data() == nullptr);
  }

  void writesNeverReachTheFile() {
    const auto path = test::tempDir("mapped-cow") + "/w.bin";
    writeBytes(path, "original");
    {
      MappedFile f(path);
      std::memcpy(f.data(), "CHANGED!", 8); // what in-place training does to zero-copy weights
      QVERIFY(std::memcmp(f.data(), "CHANGED!", 8) == 0);
      MappedFile again(path); // a second mapping sees the file, not the private pages
      QVERIFY(std::memcmp(again.data(), "original", 8) == 0);
    }
    QCOMPARE(readBytes(path), std::string("original"));
  }

  void errorsNameTheFile_data() {
    QTest::addColumn<QString>("which");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << "missing"
                             << "missing.safetensors: cannot open";
    QTest::newRow("folder") << "folder"
                            << "is a folder";
  }
  void errorsNameTheFile() {
    QFETCH(QString, which);
    QFETCH(QString, expected);
    const auto dir = test::tempDir("mapped-err");
    const std::string path = which == "missing" ? dir + "/missing.safetensors" : dir;
    const QString err = errorOf([&] { MappedFile f(path); });
    QVERIFY2(err.startsWith(QString::fromStdString(path)), qPrintable(err));
    QVERIFY2(err.contains(expected), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TestMappedFile)
#include "test_mappedfile.moc"
