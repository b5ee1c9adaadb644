// Replays a fuzz target's committed corpus (tests/fuzz/corpus/<target>/): every
// input a fuzzer kept or found, run through the same LLVMFuzzerTestOneInput as
// the libFuzzer build (POSLAB_FUZZ=ON), so a parser bug found once fails CI if it
// returns. An input that crashes, aborts or lets a non-poslab exception escape
// fails the test.
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

class FuzzReplay : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void corpusInput_data() {
    QTest::addColumn<QString>("file");
    const std::filesystem::path corpus(POSLAB_FUZZ_CORPUS);
    QVERIFY2(std::filesystem::is_directory(corpus), POSLAB_FUZZ_CORPUS);
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(corpus))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    QVERIFY2(!files.empty(), "an empty corpus replays nothing");
    for (const auto& f : files)
      QTest::newRow(f.filename().c_str()) << QString::fromStdString(f.string());
  }
  void corpusInput() {
    QFETCH(QString, file);
    std::ifstream in(file.toStdString(), std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QCOMPARE(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
};

QTEST_GUILESS_MAIN(FuzzReplay)
#include "FuzzReplay.moc"
