// Byte-level BPE against llama.cpp's test vectors (data/tokenizer-vectors):
// llama-bpe through the GPT-2-layout Llama 3 files, gpt-2 through its GGUF.
// Every vector must match exactly, decode back to its text, and its offsets
// must tile the input.
#include "core/tokenizer/BpeTokenizer.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/tokenizer/TokenizerVectors.h"

#include <fstream>
#include <memory>

using namespace poslab;
using namespace poslab::test;

namespace {

std::unique_ptr<BpeTokenizer> llama3;
std::unique_ptr<BpeTokenizer> gpt2;
std::vector<TokenizerVector> llama3Cases;
std::vector<TokenizerVector> gpt2Cases;

void addVectorRows(const std::vector<TokenizerVector>& vectors) {
  QTest::addColumn<int>("index");
  for (size_t i = 0; i < vectors.size(); ++i)
    QTest::newRow(rowName(i, vectors[i].input).constData()) << static_cast<int>(i);
}

void checkVector(const BpeTokenizer& tokenizer, const TokenizerVector& v) {
  const Encoding e = tokenizer.encode(v.input);
  QCOMPARE(describe(e.ids), describe(v.ids));
  QString why;
  QVERIFY2(spansTile(e, v.input.size(), &why), qPrintable(why));
  QCOMPARE(QByteArray::fromStdString(tokenizer.decode(e.ids)), QByteArray::fromStdString(v.input));
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

} // namespace

class TestBpeTokenizer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    llama3 = BpeTokenizer::fromGpt2Files(sharedPath("data/tokenizers/llama-3/encoder.json"),
                                         sharedPath("data/tokenizers/llama-3/vocab.bpe"), "llama-bpe");
    llama3Cases = loadTokenizerVectors(sharedPath("data/tokenizer-vectors/ggml-vocab-llama-bpe.gguf"));
    const GgufFile gguf(sharedPath("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf"));
    gpt2 = BpeTokenizer::fromGguf(gguf);
    gpt2Cases = loadTokenizerVectors(sharedPath("data/tokenizer-vectors/ggml-vocab-gpt-2.gguf"));
    QCOMPARE(llama3Cases.size(), size_t(46));
    QCOMPARE(gpt2Cases.size(), size_t(46));
  }

  void llama3Files() {
    QCOMPARE(llama3->vocabSize(), 128000);
    QCOMPARE(llama3->kind(), std::string("bpe"));
    QCOMPARE(*llama3->pieceToId("Ġworld"), 1917);
    QCOMPARE(llama3->piece(15339), std::string("hello"));
    // 233 merges start with a hash sign; they are real merges (SOURCE.md).
    QCOMPARE(describe(llama3->encode("hello world").ids), describe({15339, 1917}));
    QCOMPARE(describe(llama3->encode("0000").ids), describe({931, 15}));
  }

  void llamaBpeVectors_data() { addVectorRows(llama3Cases); }
  void llamaBpeVectors() {
    QFETCH(int, index);
    checkVector(*llama3, llama3Cases[index]);
  }

  void gpt2Gguf() {
    QCOMPARE(gpt2->vocabSize(), 50257);
    QCOMPARE(gpt2->specialTokens().bos, 50256);
    QCOMPARE(gpt2->specialTokens().eos, 50256);
    QVERIFY(!gpt2->specialTokens().addBos); // the GGUF has no add_bos_token; GPT-2 adds none
    QVERIFY(gpt2->isSpecial(50256));
  }

  void gpt2Vectors_data() { addVectorRows(gpt2Cases); }
  void gpt2Vectors() {
    QFETCH(int, index);
    checkVector(*gpt2, gpt2Cases[index]);
  }

  // <|endoftext|> is CONTROL: one token only when parsing special tokens.
  void specialTokensOnlyWhenParsed() {
    const std::string text = "Hello<|endoftext|> world";
    const Encoding plain = gpt2->encode(text);
    QVERIFY(std::find(plain.ids.begin(), plain.ids.end(), 50256) == plain.ids.end());
    QCOMPARE(gpt2->decode(plain.ids), text);
    const Encoding parsed = gpt2->encode(text, {.addBos = true, .parseSpecial = true});
    QCOMPARE(describe(parsed.ids), describe({50256, 15496, 50256, 995}));
    QCOMPARE(parsed.offsets[0].begin, size_t(0)); // BOS covers nothing
    QCOMPARE(parsed.offsets[0].end, size_t(0));
    QCOMPARE(parsed.offsets[2].begin, size_t(5));
    QCOMPARE(parsed.offsets[2].end, size_t(18));
    QCOMPARE(gpt2->decode(parsed.ids), std::string("Hello world"));
    QCOMPARE(gpt2->decode(parsed.ids, true), std::string("<|endoftext|>Hello<|endoftext|> world"));
  }

  // Invalid UTF-8: every byte is still encoded, nothing crashes or is dropped.
  void invalidUtf8KeepsEveryByte_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("lone continuation") << QByteArray("a\x80 b");
    QTest::newRow("truncated 3-byte") << QByteArray("caf\xE2\x82");
    QTest::newRow("overlong") << QByteArray("\xC0\xAF\xC0\xAF x");
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80 hello");
    QTest::newRow("all high bytes") << QByteArray("\xFF\xFE\xFD\xFC");
    QTest::newRow("between spaces") << QByteArray("   \xF0\x9F   \xF0\x9F\xA6\x99!");
  }
  void invalidUtf8KeepsEveryByte() {
    QFETCH(QByteArray, text);
    for (const BpeTokenizer* tokenizer : {llama3.get(), gpt2.get()}) {
      const std::string input = text.toStdString();
      const Encoding e = tokenizer->encode(input);
      QString why;
      QVERIFY2(spansTile(e, input.size(), &why), qPrintable(why));
      QCOMPARE(QByteArray::fromStdString(tokenizer->decode(e.ids)), text);
    }
  }

  // A long mixed text: spans tile, decoding is exact, the cache gives the same ids.
  void paragraphRoundTrip() {
    const std::string text = std::string(kParagraph) + "\n\tint main() { return 0; } // 日本語 🦙\r\n";
    const Encoding first = llama3->encode(text);
    const Encoding second = llama3->encode(text);
    QCOMPARE(describe(first.ids), describe(second.ids));
    QString why;
    QVERIFY2(spansTile(first, text.size(), &why), qPrintable(why));
    QCOMPARE(llama3->decode(first.ids), text);
    for (size_t i = 0; i < first.ids.size(); ++i) { // each token's span is its own text
      const auto& span = first.offsets[i];
      QCOMPARE(llama3->decode({first.ids[i]}), text.substr(span.begin, span.end - span.begin));
    }
  }

  // GPT-2's own vocab.bpe starts with a version line, which is skipped; any
  // other line starting with a hash sign is a merge.
  void gpt2FilesVersionHeader() {
    const std::string dir = tempDir("bpe-gpt2-files");
    writeFile(dir + "/encoder.json",
              "{\"#\": 0, \"a\": 1, \"b\": 2, \"##\": 3, \"ab\": 4, \"<|endoftext|>\": 5}");
    writeFile(dir + "/with.bpe", "#version: 0.2\n# #\na b\n");
    writeFile(dir + "/without.bpe", "# #\na b\n");
    for (const char* name : {"with.bpe", "without.bpe"}) {
      auto t = BpeTokenizer::fromGpt2Files(dir + "/encoder.json", dir + "/" + name);
      QCOMPARE(describe(t->encode("##ab").ids), describe({3, 4}));
      QCOMPARE(t->specialTokens().eos, 5);
    }
    writeFile(dir + "/bad.bpe", "a b\na x\n");
    try {
      BpeTokenizer::fromGpt2Files(dir + "/encoder.json", dir + "/bad.bpe");
      QFAIL("a merge naming an unknown token was accepted");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()),
               QString::fromStdString(dir + "/bad.bpe: merge[1]: 'a x' names unknown token 'x'"));
    }
    try {
      BpeTokenizer::fromGpt2Files(dir + "/encoder.json", dir + "/with.bpe", "falcon");
      QFAIL("an unknown pre-tokenizer was accepted");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(
                   "unknown 'falcon' (supported: gpt-2, default, llama-bpe, llama3, qwen2)"),
               e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
