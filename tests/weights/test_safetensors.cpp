// SafetensorsFile + SafetensorsWriter: round trips for every dtype, and one
// corrupt file per row whose error must name the file and the field at fault.
#include "core/util/Error.h"
#include "core/weights/MappedFile.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "tests/util/TestPaths.h"

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace poslab;

namespace {

template <typename F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return QString();
}

// A safetensors file by hand: header length (or a lie about it), header text, data.
std::string rawFile(const std::string& header, size_t dataBytes, int64_t headerLen = -1) {
  std::string out(8, '\0');
  const uint64_t len = headerLen < 0 ? header.size() : static_cast<uint64_t>(headerLen);
  std::memcpy(out.data(), &len, 8);
  out += header;
  for (size_t k = 0; k < dataBytes; ++k)
    out += static_cast<char>(k);
  return out;
}

std::string writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

} // namespace

class TestSafetensors : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void roundTripEveryDtype_data() {
    QTest::addColumn<int>("dtype");
    QTest::addColumn<int>("elementBytes");
    for (auto [d, n] : std::initializer_list<std::pair<DType, int>>{{DType::F64, 8},
                                                                    {DType::F32, 4},
                                                                    {DType::F16, 2},
                                                                    {DType::BF16, 2},
                                                                    {DType::I64, 8},
                                                                    {DType::I32, 4},
                                                                    {DType::I16, 2},
                                                                    {DType::I8, 1},
                                                                    {DType::U8, 1},
                                                                    {DType::Bool, 1}})
      QTest::newRow(dtypeName(d)) << int(d) << n;
  }
  void roundTripEveryDtype() {
    QFETCH(int, dtype);
    QFETCH(int, elementBytes);
    const auto d = static_cast<DType>(dtype);
    QCOMPARE(elementSize(d), size_t(elementBytes));
    std::vector<unsigned char> w(size_t(2 * 3 * elementBytes)), b(size_t(5 * elementBytes));
    for (size_t k = 0; k < w.size(); ++k)
      w[k] = static_cast<unsigned char>(d == DType::Bool ? k % 2 : k * 7 + 1);
    for (size_t k = 0; k < b.size(); ++k)
      b[k] = static_cast<unsigned char>(d == DType::Bool ? 1 : 200 - k);
    const auto path = test::tempDir("st-round") + "/model.safetensors";
    SafetensorsWriter::write(path,
                             {{"layer.weight", d, {2, 3}, w.data(), w.size()},
                              {"layer.bias", d, {5}, b.data(), b.size()},
                              {"empty", d, {0, 4}, nullptr, 0},
                              {"scalar", d, {}, w.data(), size_t(elementBytes)}},
                             {{"format", "pt"}, {"note", "round trip"}});
    SafetensorsFile f(path);
    QCOMPARE(f.metadata().size(), size_t(2));
    QCOMPARE(f.metadata().at("note"), std::string("round trip"));
    QCOMPARE(f.tensors().size(), size_t(4));
    QCOMPARE(f.tensors()[0].name, std::string("layer.weight")); // file order = written order
    const TensorView* tw = f.find("layer.weight");
    QVERIFY(tw);
    QCOMPARE(tw->dtype, d);
    QCOMPARE(tw->shape, (std::vector<int64_t>{2, 3}));
    QCOMPARE(tw->nbytes, uint64_t(w.size()));
    QCOMPARE(tw->file, path);
    QVERIFY(std::memcmp(tw->data, w.data(), w.size()) == 0);
    const TensorView* tb = f.find("layer.bias");
    QVERIFY(std::memcmp(tb->data, b.data(), b.size()) == 0);
    QCOMPARE(f.find("empty")->numel(), int64_t(0));
    QCOMPARE(f.find("scalar")->shape.size(), size_t(0));
    QCOMPARE(f.find("scalar")->numel(), int64_t(1));
    QVERIFY(!f.find("missing"));

    // Header padded to 8 bytes: the data region starts 8-byte aligned.
    uint64_t headerLen = 0;
    std::memcpy(&headerLen, f.mapping()->data(), 8);
    QCOMPARE(headerLen % 8, uint64_t(0));
    QCOMPARE(static_cast<uint64_t>(tw->data - f.mapping()->data()), 8 + headerLen);
  }

  void writerIsAtomicAndLeavesNoTemporary() {
    const auto dir = test::tempDir("st-atomic");
    const float one = 1.f, two = 2.f;
    SafetensorsWriter::write(dir + "/m.safetensors", {{"x", DType::F32, {1}, &one, 4}});
    SafetensorsWriter::write(dir + "/m.safetensors", {{"x", DType::F32, {1}, &two, 4}}); // replaces
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      ++files;
      QCOMPARE(e.path().filename().string(), std::string("m.safetensors"));
    }
    QCOMPARE(files, 1);
    SafetensorsFile f(dir + "/m.safetensors");
    float v = 0;
    std::memcpy(&v, f.find("x")->data, 4);
    QCOMPARE(v, 2.f);
  }

  void writerRefusesBadEntries_data() {
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("expected");
    QTest::newRow("size mismatch") << 0 << "tensor 'x': shape needs 8 bytes but 4 given";
    QTest::newRow("duplicate") << 1 << "tensor 'x': appears twice";
    QTest::newRow("negative dim") << 2 << "tensor 'x': negative dim -2";
    QTest::newRow("reserved name") << 3 << "tensor '__metadata__': the name is reserved";
  }
  void writerRefusesBadEntries() {
    QFETCH(int, which);
    QFETCH(QString, expected);
    const float v[2] = {1, 2};
    std::vector<SafetensorsWriter::Entry> entries;
    if (which == 0) entries = {{"x", DType::F32, {2}, v, 4}};
    if (which == 1) entries = {{"x", DType::F32, {1}, v, 4}, {"x", DType::F32, {1}, v, 4}};
    if (which == 2) entries = {{"x", DType::F32, {-2}, v, 8}};
    if (which == 3) entries = {{"__metadata__", DType::F32, {1}, v, 4}};
    const auto dir = test::tempDir("st-bad-writer");
    const QString err = errorOf([&] { SafetensorsWriter::write(dir + "/o.safetensors", entries); });
    QVERIFY2(err.contains(expected), qPrintable(err));
    QVERIFY(err.contains("o.safetensors"));
    QVERIFY(std::filesystem::is_empty(dir)); // nothing half-written left behind
  }

  void corruptFilesAreRefused_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<int>("dataBytes");
    QTest::addColumn<qint64>("headerLen"); // -1: the true length
    QTest::addColumn<QString>("expected");
    const QString ok = R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})";
    QTest::newRow("truncated data") << ok << 8 << qint64(-1) << "tensor 'w': data ends at byte";
    QTest::newRow("header length absurd")
        << ok << 16 << (qint64(1) << 40) << "header: length 1099511627776 runs past";
    QTest::newRow("header length past end")
        << ok << 16 << qint64(200) << "header: length 200 runs past the end";
    QTest::newRow("bad JSON") << R"({"w": {"dtype": )" << 16 << qint64(-1) << "header: invalid JSON";
    QTest::newRow("not an object") << "[1,2]" << 0 << qint64(-1)
                                   << "header: expected a JSON object, found array";
    QTest::newRow("unknown dtype") << R"({"w":{"dtype":"F8","shape":[2],"data_offsets":[0,2]}})" << 2
                                   << qint64(-1) << "tensor 'w': unknown dtype \"F8\"";
    QTest::newRow("missing dtype") << R"({"w":{"shape":[2],"data_offsets":[0,2]}})" << 2 << qint64(-1)
                                   << "tensor 'w': dtype is missing";
    QTest::newRow("offsets out of range") << R"({"w":{"dtype":"F32","shape":[250],"data_offsets":[0,1000]}})"
                                          << 16 << qint64(-1) << "tensor 'w': data ends at byte";
    QTest::newRow("begin after end") << R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})" << 16
                                     << qint64(-1) << "tensor 'w': data_offsets begin 8 is after end 4";
    QTest::newRow("negative offset") << R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[-4,0]}})" << 16
                                     << qint64(-1) << "tensor 'w': data_offsets begin -4 is negative";
    QTest::newRow("offsets not a pair") << R"({"w":{"dtype":"U8","shape":[4],"data_offsets":[0]}})" << 16
                                        << qint64(-1) << "tensor 'w': data_offsets is missing";
    QTest::newRow("overlapping") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})"
                                 << 16 << qint64(-1) << "tensor 'b': data overlaps tensor 'a'";
    QTest::newRow("shape/size mismatch") << R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << 16
                                         << qint64(-1) << "tensor 'w': shape [3] of F32 needs 12 bytes";
    QTest::newRow("negative dim") << R"({"w":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}})" << 16
                                  << qint64(-1) << "tensor 'w': shape dim -1 is negative";
    QTest::newRow("fractional dim") << R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}})" << 16
                                    << qint64(-1) << "tensor 'w': shape dim is not an integer";
    QTest::newRow("shape overflow")
        << R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})" << 16 << qint64(-1)
        << "tensor 'w': shape [4294967296,4294967296] overflows";
    QTest::newRow("byte size overflow")
        << R"({"w":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}})" << 16 << qint64(-1)
        << "tensor 'w': size of shape";
    QTest::newRow("metadata not strings")
        << R"({"__metadata__":{"k":1}})" << 0 << qint64(-1) << "__metadata__ 'k': expected a string";
  }
  void corruptFilesAreRefused() {
    QFETCH(QString, header);
    QFETCH(int, dataBytes);
    QFETCH(qint64, headerLen);
    QFETCH(QString, expected);
    const auto path = test::tempDir("st-corrupt") + "/model.safetensors";
    writeFile(path, rawFile(header.toStdString(), size_t(dataBytes), headerLen));
    const QString err = errorOf([&] { SafetensorsFile f(path); });
    QVERIFY2(err.startsWith(QString::fromStdString(path) + ": "), qPrintable(err));
    QVERIFY2(err.contains(expected), qPrintable(err));
  }

  // Every prefix of a valid file and every header byte set to 0xFF or '9':
  // an Error or a valid file, never a crash.
  void everyTruncationAndByteFlipIsHandled() {
    const auto dir = test::tempDir("st-fuzz");
    const float w[4] = {1, 2, 3, 4};
    const uint16_t h[2] = {1, 2};
    SafetensorsWriter::write(dir + "/ok.safetensors",
                             {{"w", DType::F32, {2, 2}, w, 16}, {"h", DType::BF16, {2}, h, 4}}, {{"k", "v"}});
    std::string good(std::filesystem::file_size(dir + "/ok.safetensors"), '\0');
    std::ifstream(dir + "/ok.safetensors", std::ios::binary).read(good.data(), std::streamsize(good.size()));
    for (size_t n = 0; n < good.size(); ++n) {
      const auto path = writeFile(dir + "/t.safetensors", good.substr(0, n));
      QVERIFY2(!errorOf([&] { SafetensorsFile f(path); }).isEmpty(), qPrintable(QString::number(n)));
    }
    for (size_t k = 0; k + 20 < good.size(); ++k)
      for (char c : {char(0xFF), '9'}) {
        std::string b = good;
        b[k] = c;
        const auto path = writeFile(dir + "/f.safetensors", b);
        errorOf([&] { SafetensorsFile f(path); });
      }
  }

  void truncatedFile() {
    const auto path = writeFile(test::tempDir("st-trunc") + "/short.safetensors", std::string("\x10\0\0", 3));
    const QString err = errorOf([&] { SafetensorsFile f(path); });
    QVERIFY2(err.contains("short.safetensors: header: the file has 3 bytes"), qPrintable(err));
  }

  void headerAboveLimitIsRefusedBeforeReading() {
    // A sparse 101 MiB file whose header claims 101 MiB - 8: within the file, above the limit.
    const auto path = test::tempDir("st-huge") + "/huge.safetensors";
    const uint64_t size = 101ull << 20;
    writeFile(path, rawFile("{}", 0, int64_t(size - 8)));
    std::filesystem::resize_file(path, size);
    const QString err = errorOf([&] { SafetensorsFile f(path); });
    QVERIFY2(err.contains("huge.safetensors: header: length 105906168 is above the limit"), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
