// AtomicFile and JsonFile: a committed file replaces the old one whole; an
// abandoned or failed write leaves the old one and no temporary debris; JSON
// errors name the file.
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace poslab;
using poslab::test::fileBytes;
namespace fs = std::filesystem;

namespace {

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

} // namespace

class TestAtomicFile : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void commitReplacesWhole() {
    const fs::path dir = test::tempDir("atomic-commit");
    const std::string path = (dir / "a.txt").string();
    AtomicFile::writeText(path, "old");
    AtomicFile::writeText(path, "new contents");
    QCOMPARE(fileBytes(path), std::string("new contents"));
    QCOMPARE(entries(dir), size_t(1));
  }

  void abandonedWriteKeepsOld() {
    const fs::path dir = test::tempDir("atomic-abandon");
    const std::string path = (dir / "a.txt").string();
    AtomicFile::writeText(path, "old");
    {
      AtomicFile f(path);
      f.write(std::string_view("half"));
      QCOMPARE(entries(dir), size_t(2)); // the temporary beside the old file
    }
    QCOMPARE(fileBytes(path), std::string("old"));
    QCOMPARE(entries(dir), size_t(1));
  }

  void missingFolderIsAnError() {
    const fs::path dir = test::tempDir("atomic-missing");
    const std::string path = (dir / "no" / "a.txt").string();
    try {
      AtomicFile::writeText(path, "x");
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find(path) == 0, e.what());
    }
  }

  void jsonRoundTripAndErrors() {
    const fs::path dir = test::tempDir("json-file");
    const std::string path = (dir / "c.json").string();
    JsonFile::write(path, nlohmann::json{{"a", 1}, {"b", {1, 2}}});
    QCOMPARE(JsonFile::readObject(path)["b"][1].get<int>(), 2);
    QVERIFY(JsonFile::readObjectIfPresent((dir / "absent.json").string()).empty());

    AtomicFile::writeText(path, "{\"a\": ");
    try {
      JsonFile::read(path);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).rfind(path + ": not valid JSON", 0) == 0, e.what());
    }
    AtomicFile::writeText(path, "[1, 2]");
    try {
      JsonFile::readObject(path);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()) == path + ": expected a JSON object at the top level", e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
