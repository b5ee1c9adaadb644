// GgufSpmTokenizer: our own SentencePiece-BPE on GGUF-embedded vocabularies,
// checked against llama.cpp's Llama-2 test vectors (ids made by the Hugging
// Face tokenizer), plus offsets, decoding, special tokens and bad files.
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/tokenizer/TokenizerVectors.h"

#include <fstream>

using namespace poslab;
using namespace poslab::test;

namespace {

const std::string kVocab = "data/tokenizer-vectors/ggml-vocab-llama-spm.gguf";

// A minimal GGUF v3 writer for files with only metadata (spec: ggml docs/gguf.md).
class GgufBuilder {
public:
  void string(const std::string& key, const std::string& value) {
    header(key, 8);
    str(value);
    ++count_;
  }
  void strings(const std::string& key, const std::vector<std::string>& values) {
    header(key, 9);
    u32(8);
    u64(values.size());
    for (const auto& v : values)
      str(v);
    ++count_;
  }
  void floats(const std::string& key, const std::vector<float>& values) {
    header(key, 9);
    u32(6);
    u64(values.size());
    for (float v : values)
      raw(&v, 4);
    ++count_;
  }
  void ints(const std::string& key, const std::vector<int32_t>& values) {
    header(key, 9);
    u32(5);
    u64(values.size());
    for (int32_t v : values)
      raw(&v, 4);
    ++count_;
  }
  void save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary);
    std::string head = "GGUF";
    const uint32_t version = 3;
    const uint64_t tensors = 0;
    head.append(reinterpret_cast<const char*>(&version), 4);
    head.append(reinterpret_cast<const char*>(&tensors), 8);
    head.append(reinterpret_cast<const char*>(&count_), 8);
    out << head << body_;
  }

private:
  void raw(const void* p, size_t n) { body_.append(static_cast<const char*>(p), n); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void str(const std::string& s) {
    u64(s.size());
    body_ += s;
  }
  void header(const std::string& key, uint32_t type) {
    str(key);
    u32(type);
  }
  std::string body_;
  uint64_t count_ = 0;
};

} // namespace

class TestGgufSpmTokenizer : public QObject {
  Q_OBJECT
  std::unique_ptr<GgufFile> gguf_;
  std::unique_ptr<GgufSpmTokenizer> tok_;
  std::vector<TokenizerVector> vectors_;

  void vectorRows() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < vectors_.size(); ++i)
      QTest::newRow(rowName(i, vectors_[i].input).constData()) << static_cast<int>(i);
  }

private Q_SLOTS:
  void initTestCase() {
    gguf_ = std::make_unique<GgufFile>(sharedPath(kVocab));
    tok_ = GgufSpmTokenizer::fromGguf(*gguf_);
    vectors_ = loadTokenizerVectors(sharedPath(kVocab));
    QCOMPARE(vectors_.size(), size_t(46));
  }

  void metadata() {
    QCOMPARE(tok_->kind(), std::string("gguf-spm"));
    QCOMPARE(tok_->vocabSize(), 32000);
    QCOMPARE(tok_->specialTokens().bos, 1);
    QCOMPARE(tok_->specialTokens().eos, 2);
    QCOMPARE(tok_->specialTokens().unk, 0);
    QCOMPARE(tok_->specialTokens().pad, -1);
    QVERIFY(tok_->specialTokens().addBos);
    QVERIFY(!tok_->specialTokens().addEos);
    QCOMPARE(tok_->piece(3), std::string("<0x00>"));
    QCOMPARE(tok_->pieceType(3), SpmPieceType::Byte);
    QCOMPARE(tok_->pieceType(1), SpmPieceType::Control);
    QCOMPARE(tok_->pieceToId("<s>"), std::optional<int32_t>(1));
    QCOMPARE(tok_->pieceToId("no such piece"), std::nullopt);
  }

  void llamaSpmVectors_data() { vectorRows(); }
  void llamaSpmVectors() {
    QFETCH(int, index);
    const auto& v = vectors_[static_cast<size_t>(index)];
    QCOMPARE(describe(tok_->encode(v.input).ids), describe(v.ids));
  }

  void offsetsTileInput_data() { vectorRows(); }
  void offsetsTileInput() {
    QFETCH(int, index);
    const auto& v = vectors_[static_cast<size_t>(index)];
    const Encoding e = tok_->encode(v.input);
    QString why;
    QVERIFY2(spansInside(e, v.input.size(), &why), qPrintable(why));
    QVERIFY2(spansTile(e, v.input.size(), &why), qPrintable(why));
  }

  void decodeRoundTrip_data() { vectorRows(); }
  void decodeRoundTrip() {
    QFETCH(int, index);
    const auto& v = vectors_[static_cast<size_t>(index)];
    // sentencepiece strips one dummy-prefix "▁", so leading spaces survive
    // (" Hello" = "▁" "▁Hello" -> " Hello").
    QCOMPARE(QString::fromStdString(tok_->decode(v.ids)), QString::fromStdString(v.input));
  }

  void offsetsNameTheWords() {
    const std::string text = "Hello world";
    const Encoding e = tok_->encode(text);
    QCOMPARE(describe(e.ids), QString("15043 3186")); // ▁Hello ▁world
    QCOMPARE(e.offsets[0].begin, size_t(0));          // the dummy prefix is zero-width
    QCOMPARE(e.offsets[0].end, size_t(5));
    QCOMPARE(e.offsets[1].begin, size_t(5)); // "▁world" covers " world"
    QCOMPARE(e.offsets[1].end, size_t(11));
  }

  void bosAndSpecialTokens() {
    const Encoding plain = tok_->encode("<s>Hi</s>");
    QVERIFY(std::find(plain.ids.begin(), plain.ids.end(), 1) == plain.ids.end());
    const Encoding special = tok_->encode("<s>Hi</s>", {.addBos = true, .parseSpecial = true});
    QCOMPARE(special.ids.front(), 1);
    QCOMPARE(special.offsets.front().end, size_t(0)); // the added BOS covers nothing
    QCOMPARE(special.ids[1], 1);                      // the "<s>" of the text
    QCOMPARE(special.offsets[1].begin, size_t(0));
    QCOMPARE(special.offsets[1].end, size_t(3));
    QCOMPARE(special.ids.back(), 2);
    QCOMPARE(special.offsets.back().begin, size_t(5));
    QCOMPARE(tok_->decode(special.ids), std::string("Hi"));
    QCOMPARE(tok_->decode(special.ids, true), std::string("<s><s> Hi</s>"));
  }

  void byteFallbackAndInvalidUtf8() {
    // U+10FFFF-ish and broken sequences: no crash, byte tokens, spans inside.
    const std::string text = std::string("ok \xF4\x8F\xBF\xBF \xFF\xFE x \xE4\xB8", 15);
    const Encoding e = tok_->encode(text);
    QString why;
    QVERIFY2(spansInside(e, text.size(), &why), qPrintable(why));
    QVERIFY2(spansTile(e, text.size(), &why), qPrintable(why));
    QVERIFY(std::find(e.ids.begin(), e.ids.end(), 3 + 0xFF) != e.ids.end()); // <0xFF>
    // Invalid bytes decode to U+FFFD, as sentencepiece does.
    QCOMPARE(tok_->decode({3 + 0xFF}), std::string("\xEF\xBF\xBD"));
    QCOMPARE(tok_->decode({3 + 0xE4, 3 + 0xB8, 3 + 0x80}), std::string("\xE4\xB8\x80"));
  }

  void decodeRejectsBadIds() {
    QVERIFY_THROWS_EXCEPTION(Error, tok_->decode({32000}));
    QVERIFY_THROWS_EXCEPTION(Error, tok_->decode({-1}));
  }

  void missingKeysAreNamed_data() {
    QTest::addColumn<QString>("drop");
    QTest::newRow("model") << "tokenizer.ggml.model";
    QTest::newRow("tokens") << "tokenizer.ggml.tokens";
    QTest::newRow("scores") << "tokenizer.ggml.scores";
    QTest::newRow("token_type") << "tokenizer.ggml.token_type";
  }
  void missingKeysAreNamed() {
    QFETCH(QString, drop);
    GgufBuilder b;
    if (drop != "tokenizer.ggml.model") b.string("tokenizer.ggml.model", "llama");
    if (drop != "tokenizer.ggml.tokens") b.strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a"});
    if (drop != "tokenizer.ggml.scores") b.floats("tokenizer.ggml.scores", {0, 0, 0, -1});
    if (drop != "tokenizer.ggml.token_type") b.ints("tokenizer.ggml.token_type", {2, 3, 3, 1});
    const std::string path = tempDir("gguf-spm-missing") + "/vocab.gguf";
    b.save(path);
    GgufFile file(path);
    try {
      GgufSpmTokenizer::fromGguf(file);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(drop), e.what());
      QVERIFY2(QString(e.what()).contains("vocab.gguf"), e.what());
    }
  }

  void wrongModelKindIsRefused() {
    GgufFile gpt2(sharedPath("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf"));
    try {
      GgufSpmTokenizer::fromGguf(gpt2);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("tokenizer.ggml.model"), e.what());
    }
  }

  void mismatchedScoresAreNamed() {
    GgufBuilder b;
    b.string("tokenizer.ggml.model", "llama");
    b.strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "a"});
    b.floats("tokenizer.ggml.scores", {0, 0});
    b.ints("tokenizer.ggml.token_type", {2, 3, 3, 1});
    const std::string path = tempDir("gguf-spm-short") + "/vocab.gguf";
    b.save(path);
    GgufFile file(path);
    QVERIFY_THROWS_EXCEPTION(Error, GgufSpmTokenizer::fromGguf(file));
    try {
      GgufSpmTokenizer::fromGguf(file);
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("tokenizer.ggml.scores"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestGgufSpmTokenizer)
#include "test_gguf_spm_tokenizer.moc"
