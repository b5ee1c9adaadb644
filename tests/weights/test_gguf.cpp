// GgufFile: the real stories260K.gguf, a small GGUF written here byte by byte,
// and corrupt variants of it (one patched field or a truncation per row).
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "core/weights/MappedFile.h"
#include "tests/util/TestPaths.h"

#include <cstring>
#include <fstream>
#include <map>

using namespace poslab;

namespace {

// Writes GGUF bytes and remembers where the fields a test wants to patch lie.
class GgufBytes {
public:
  std::string bytes;
  std::map<std::string, size_t> at; // field label -> byte offset

  void mark(const std::string& label) { at[label] = bytes.size(); }
  template <typename T> void put(T v) { bytes.append(reinterpret_cast<const char*>(&v), sizeof(T)); }
  void str(const std::string& s) {
    put<uint64_t>(s.size());
    bytes += s;
  }
  void pad(size_t alignment) {
    while (bytes.size() % alignment)
      bytes += '\0';
  }
};

enum : uint32_t { U8 = 0, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9 };

// A small valid v3 file: 7 metadata keys (incl. a nested array) and 4 tensors,
// one of each supported ggml type.
GgufBytes smallGguf() {
  GgufBytes g;
  g.bytes = "GGUF";
  g.mark("version");
  g.put<uint32_t>(3);
  g.mark("tensor_count");
  g.put<uint64_t>(4);
  g.mark("kv_count");
  g.put<uint64_t>(7);

  g.mark("key0_len");
  g.str("general.architecture");
  g.mark("key0_type");
  g.put<uint32_t>(String);
  g.str("test");

  g.str("general.alignment");
  g.put<uint32_t>(U32);
  g.mark("alignment");
  g.put<uint32_t>(32);

  g.str("test.count");
  g.put<uint32_t>(I32);
  g.put<int32_t>(-7);

  g.str("test.eps");
  g.put<uint32_t>(F32);
  g.put<float>(1e-5f);

  g.str("test.flag");
  g.put<uint32_t>(Bool);
  g.mark("flag");
  g.put<uint8_t>(1);

  g.str("tokenizer.ggml.tokens");
  g.put<uint32_t>(Array);
  g.put<uint32_t>(String);
  g.mark("tokens_count");
  g.put<uint64_t>(3);
  g.str("<unk>");
  g.str("<s>");
  g.str("hello");

  g.str("test.nested"); // [[1, 2], [3]] as u8
  g.put<uint32_t>(Array);
  g.put<uint32_t>(Array);
  g.put<uint64_t>(2);
  g.put<uint32_t>(U8);
  g.put<uint64_t>(2);
  g.put<uint8_t>(1);
  g.put<uint8_t>(2);
  g.put<uint32_t>(U8);
  g.put<uint64_t>(1);
  g.put<uint8_t>(3);

  // Tensor infos: name, n_dims, ne..., type, offset.
  g.str("a"); // F32 ne [3, 2] -> row-major [2, 3], 24 bytes at 0
  g.mark("a_ndims");
  g.put<uint32_t>(2);
  g.put<uint64_t>(3);
  g.put<uint64_t>(2);
  g.mark("a_type");
  g.put<uint32_t>(0);
  g.put<uint64_t>(0);

  g.mark("b_name");
  g.str("b"); // F16 ne [4], 8 bytes at 32
  g.put<uint32_t>(1);
  g.put<uint64_t>(4);
  g.put<uint32_t>(1);
  g.mark("b_offset");
  g.put<uint64_t>(32);

  g.str("q"); // Q8_0 ne [32, 2] -> [2, 32], 2 blocks = 68 bytes at 64
  g.put<uint32_t>(2);
  g.mark("q_ne0");
  g.put<uint64_t>(32);
  g.put<uint64_t>(2);
  g.put<uint32_t>(8);
  g.put<uint64_t>(64);

  g.str("h"); // BF16 ne [2], 4 bytes at 160
  g.put<uint32_t>(1);
  g.put<uint64_t>(2);
  g.put<uint32_t>(30);
  g.put<uint64_t>(160);

  g.pad(32);
  g.mark("data");
  for (float v : {1.f, 2.f, 3.f, 4.f, 5.f, 6.f})
    g.put<float>(v);
  g.pad(32);
  for (uint16_t v : {0x3c00, 0x4000, 0xbc00, 0x0000})
    g.put<uint16_t>(v); // 1, 2, -1, 0
  g.pad(32);
  for (int block = 0; block < 2; ++block) {
    g.put<uint16_t>(0x3800); // scale 0.5
    for (int k = 0; k < 32; ++k)
      g.put<int8_t>(static_cast<int8_t>(k - 16));
  }
  g.pad(32);
  g.put<uint16_t>(0x3f80); // bf16 1.0
  g.put<uint16_t>(0xc000); // bf16 -2.0
  return g;
}

std::string writeFile(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
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

class TestGguf : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void realStories260K() {
    GgufFile f(test::sharedPath("models/stories260K/stories260K.gguf"));
    QCOMPARE(f.version(), 3u);
    QCOMPARE(f.keys().size(), size_t(19));
    QCOMPARE(f.tensors().size(), size_t(48));
    QCOMPARE(f.string("general.architecture"), std::string("llama"));
    QCOMPARE(f.integer("llama.embedding_length"), 64);
    QCOMPARE(f.integer("llama.feed_forward_length"), 172);
    QCOMPARE(f.integer("llama.block_count"), 5);
    QCOMPARE(f.integer("llama.attention.head_count"), 8);
    QCOMPARE(f.integer("llama.attention.head_count_kv"), 4);
    QCOMPARE(f.integer("llama.rope.dimension_count"), 8);
    QCOMPARE(f.integer("llama.context_length"), 2048);
    QVERIFY(std::abs(f.number("llama.attention.layer_norm_rms_epsilon") - 1e-5) < 1e-9);
    QCOMPARE(f.string("tokenizer.ggml.model"), std::string("llama"));

    const auto tokens = f.strings("tokenizer.ggml.tokens");
    QCOMPARE(tokens.size(), size_t(512));
    QCOMPARE(tokens[0], std::string("<unk>"));
    QCOMPARE(tokens[1], std::string("<s>"));
    QCOMPARE(tokens[2], std::string("</s>"));
    QCOMPARE(tokens[3], std::string("<0x00>"));
    QCOMPARE(tokens[258], std::string("<0xFF>"));
    QCOMPARE(f.floats("tokenizer.ggml.scores").size(), size_t(512));
    QCOMPARE(f.integers("tokenizer.ggml.token_type").size(), size_t(512));

    const TensorView* emb = f.findTensor("token_embd.weight");
    QVERIFY(emb);
    QCOMPARE(emb->shape, (std::vector<int64_t>{512, 64}));
    QCOMPARE(emb->dtype, DType::F32);
    QCOMPARE(emb->nbytes, uint64_t(512 * 64 * 4));
    QCOMPARE(reinterpret_cast<uintptr_t>(emb->data) % 32, uintptr_t(0)); // mapping is page-aligned
    const TensorView* out = f.findTensor("output.weight");
    QVERIFY(out);
    QVERIFY(std::memcmp(emb->data, out->data, emb->nbytes) == 0); // tied classifier
    QCOMPARE(f.findTensor("blk.0.attn_k.weight")->shape, (std::vector<int64_t>{32, 64}));
    QCOMPARE(f.findTensor("blk.4.ffn_down.weight")->shape, (std::vector<int64_t>{64, 172}));
    QCOMPARE(f.findTensor("output_norm.weight")->shape, (std::vector<int64_t>{64}));
    QVERIFY(!f.findTensor("nope"));

    // Parameters from the hyper-parameters: embedding + tied classifier + final norm +
    // 5 blocks of (2 norms, q, k, v, o, gate, up, down).
    const int64_t perBlock = 2 * 64 + 64 * 64 + 2 * (64 * 32) + 64 * 64 + 3 * (64 * 172);
    int64_t params = 0;
    for (const TensorView& t : f.tensors()) {
      QCOMPARE(t.dtype, DType::F32);
      params += t.numel();
    }
    QCOMPARE(params, 2 * 512 * 64 + 64 + 5 * perBlock);
  }

  void typedAccessorErrors() {
    GgufFile f(test::sharedPath("models/stories260K/stories260K.gguf"));
    QVERIFY(errorOf([&] { f.integer("no.such.key"); }).endsWith("no.such.key: missing"));
    QVERIFY(errorOf([&] {
              f.string("llama.block_count");
            }).contains("llama.block_count: expected string, found u32"));
    QVERIFY(errorOf([&] { f.strings("tokenizer.ggml.scores"); }).contains("found array of f32"));
    QVERIFY(errorOf([&] { f.integer("general.architecture"); }).contains("stories260K.gguf"));
    QVERIFY(!f.has("no.such.key"));
    QVERIFY(f.has("tokenizer.ggml.scores"));
  }

  void smallFileRoundTrip() {
    const auto dir = test::tempDir("gguf-small");
    GgufFile f(writeFile(dir, "small.gguf", smallGguf().bytes));
    QCOMPARE(f.string("general.architecture"), std::string("test"));
    QCOMPARE(f.integer("test.count"), -7);
    QCOMPARE(f.number("test.count"), -7.0);
    QCOMPARE(f.number("test.eps"), double(1e-5f));
    QVERIFY(f.boolean("test.flag"));
    QCOMPARE(f.strings("tokenizer.ggml.tokens"), (std::vector<std::string>{"<unk>", "<s>", "hello"}));
    const GgufValue* nested = f.find("test.nested");
    QVERIFY(nested);
    QCOMPARE(nested->elementType, GgufValue::Type::Array);
    QCOMPARE(nested->array.size(), size_t(2));
    QCOMPARE(nested->array[0].elementType, GgufValue::Type::U8);
    QCOMPARE(nested->array[0].array[1].u, uint64_t(2));
    QCOMPARE(nested->array[1].array[0].u, uint64_t(3));

    QCOMPARE(f.tensors().size(), size_t(4));
    const TensorView* a = f.findTensor("a");
    QCOMPARE(a->shape, (std::vector<int64_t>{2, 3}));
    float a5;
    std::memcpy(&a5, a->data + 5 * 4, 4);
    QCOMPARE(a5, 6.f);
    QCOMPARE(f.findTensor("b")->dtype, DType::F16);
    const TensorView* q = f.findTensor("q");
    QCOMPARE(q->dtype, DType::Q8_0);
    QCOMPARE(q->shape, (std::vector<int64_t>{2, 32}));
    QCOMPARE(q->nbytes, uint64_t(68));
    QCOMPARE(f.findTensor("h")->dtype, DType::BF16);
    QCOMPARE(f.findTensor("h")->nbytes, uint64_t(4));
  }

  void v2IsAccepted() {
    auto g = smallGguf();
    const uint32_t v2 = 2;
    std::memcpy(&g.bytes[g.at["version"]], &v2, 4);
    GgufFile f(writeFile(test::tempDir("gguf-v2"), "v2.gguf", g.bytes));
    QCOMPARE(f.version(), 2u);
  }

  // Each row patches one field of the small file (width 4 or 8 bytes) or truncates it.
  void corruptFilesAreRefused_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<quint64>("value");
    QTest::addColumn<int>("width");         // 0: truncate the file value bytes after field instead
    QTest::addColumn<qint64>("truncateTo"); // -1: keep the whole file
    QTest::addColumn<QString>("expected");
    QTest::newRow("bad magic") << "magic" << quint64(0x46554748) << 4 << qint64(-1)
                               << "magic: not a GGUF file";
    QTest::newRow("empty file") << "" << quint64(0) << 0 << qint64(0) << "magic: not a GGUF file";
    QTest::newRow("v1") << "version" << quint64(1) << 4 << qint64(-1) << "version: GGUF v1 is not supported";
    QTest::newRow("v4") << "version" << quint64(4) << 4 << qint64(-1) << "unsupported GGUF version 4";
    QTest::newRow("absurd string length") << "key0_len" << quint64(1 << 20) << 8 << qint64(-1)
                                          << "metadata entry 0 (key): string length 1048576";
    QTest::newRow("absurd string length 2^63")
        << "key0_len" << (quint64(1) << 63) << 8 << qint64(-1) << "string length 9223372036854775808 exceeds";
    QTest::newRow("absurd array count")
        << "tokens_count" << (quint64(1) << 40) << 8 << qint64(-1)
        << "metadata 'tokenizer.ggml.tokens': array count 1099511627776 of string cannot fit";
    QTest::newRow("absurd tensor count") << "tensor_count" << (quint64(1) << 50) << 8 << qint64(-1)
                                         << "tensor_count: 1125899906842624 tensors";
    QTest::newRow("absurd kv count") << "kv_count" << ~quint64(0) << 8 << qint64(-1) << "metadata_kv_count:";
    QTest::newRow("bad value type") << "key0_type" << quint64(13) << 4 << qint64(-1)
                                    << "metadata 'general.architecture' (type): unknown value type 13";
    QTest::newRow("bad bool") << "flag" << quint64(2) << 1 << qint64(-1) << "'test.flag': bool value 2";
    QTest::newRow("alignment not power of two")
        << "alignment" << quint64(24) << 4 << qint64(-1) << "general.alignment: 24 is not a power of two";
    QTest::newRow("unsupported ggml type")
        << "a_type" << quint64(2) << 4 << qint64(-1) << "tensor 'a': unsupported ggml type 2";
    QTest::newRow("n_dims 5") << "a_ndims" << quint64(5) << 4 << qint64(-1) << "tensor 'a': n_dims 5";
    QTest::newRow("offset out of range")
        << "b_offset" << quint64(4096) << 8 << qint64(-1) << "tensor 'b': data ends at byte";
    QTest::newRow("offset overflow") << "b_offset" << (~quint64(0) & ~quint64(31)) << 8 << qint64(-1)
                                     << "tensor 'b': offset 18446744073709551584 overflows";
    QTest::newRow("offset misaligned")
        << "b_offset" << quint64(40) << 8 << qint64(-1) << "tensor 'b': offset 40 is not a multiple";
    QTest::newRow("overlap") << "b_offset" << quint64(0) << 8 << qint64(-1) << "overlaps tensor";
    QTest::newRow("Q8_0 ne0 not multiple of 32")
        << "q_ne0" << quint64(16) << 8 << qint64(-1) << "tensor 'q': Q8_0 needs ne0 to be a multiple of 32";
    QTest::newRow("truncated in header")
        << "" << quint64(0) << 0 << qint64(20) << "metadata_kv_count: file ends at byte 20";
    QTest::newRow("truncated in tensor infos")
        << "a_type" << quint64(2) << 0 << qint64(-1) << "tensor 'a' (type): file ends at byte";
    QTest::newRow("truncated in data")
        << "" << quint64(0) << 0 << qint64(-2) << "tensor 'h': data ends at byte";
  }
  void corruptFilesAreRefused() {
    QFETCH(QString, field);
    QFETCH(quint64, value);
    QFETCH(int, width);
    QFETCH(qint64, truncateTo);
    QFETCH(QString, expected);
    auto g = smallGguf();
    g.at["magic"] = 0;
    if (!field.isEmpty()) {
      QVERIFY2(g.at.count(field.toStdString()), "unknown field label");
      const size_t pos = g.at[field.toStdString()];
      if (width > 0)
        std::memcpy(&g.bytes[pos], &value, static_cast<size_t>(width));
      else
        g.bytes.resize(pos + value);
    }
    if (truncateTo == -2)
      g.bytes.resize(g.bytes.size() - 1);
    else if (truncateTo >= 0)
      g.bytes.resize(static_cast<size_t>(truncateTo));
    const auto path = writeFile(test::tempDir("gguf-corrupt"), "corrupt.gguf", g.bytes);
    const QString err = errorOf([&] { GgufFile f(path); });
    QVERIFY2(err.startsWith(QString::fromStdString(path) + ": "), qPrintable(err));
    QVERIFY2(err.contains(expected), qPrintable(err));
  }

  void duplicateTensorName() {
    auto g = smallGguf();
    g.bytes[g.at["b_name"] + 8] = 'a'; // "b" -> "a"
    const auto path = writeFile(test::tempDir("gguf-dup"), "dup.gguf", g.bytes);
    QVERIFY(errorOf([&] { GgufFile f(path); }).contains("tensor 'a': name appears twice"));
  }

  // Every prefix of the file and every byte set to 0xFF: an Error or a valid file, never a crash.
  void everyTruncationAndByteFlipIsHandled() {
    const auto g = smallGguf();
    const auto dir = test::tempDir("gguf-fuzz");
    int refused = 0;
    for (size_t n = 0; n < g.bytes.size(); ++n) {
      const auto path = writeFile(dir, "t.gguf", g.bytes.substr(0, n));
      refused += !errorOf([&] { GgufFile f(path); }).isEmpty();
    }
    QCOMPARE(refused, int(g.bytes.size())); // no proper prefix is a valid file
    for (size_t k = 0; k < g.at.at("data"); ++k) {
      std::string b = g.bytes;
      b[k] = char(0xFF);
      const auto path = writeFile(dir, "f.gguf", b);
      errorOf([&] { GgufFile f(path); });
    }
  }

  void missingFileNamesIt() {
    QVERIFY(errorOf([] { GgufFile f("no/such/model.gguf"); }).startsWith("no/such/model.gguf: cannot open"));
  }
};

QTEST_GUILESS_MAIN(TestGguf)
#include "test_gguf.moc"
