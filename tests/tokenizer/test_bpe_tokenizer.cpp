// Byte-level BPE against llama.cpp's test vectors (data/tokenizer-vectors):
// llama-bpe through the GPT-2-layout Llama 3 files, gpt-2 through its GGUF.
// Every vector must match exactly, decode back to its text, and its offsets
// must tile the input.
#include "core/tokenizer/BpeTokenizer.h"
#include "core/tokenizer/ByteLevelAlphabet.h"
#include "core/tokenizer/Utf8.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/tokenizer/TokenizerVectors.h"

#include <cstdio>
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

  // The folder loader's "auto": Llama 3's files get Llama 3's regex (read off
  // the vocabulary's number tokens), so every llama-bpe vector matches.
  void autoPicksLlama3Regex() {
    auto detected = BpeTokenizer::fromGpt2Files(sharedPath("data/tokenizers/llama-3/encoder.json"),
                                                sharedPath("data/tokenizers/llama-3/vocab.bpe"), "auto");
    for (const TokenizerVector& v : llama3Cases)
      QCOMPARE(describe(detected->encode(v.input).ids), describe(v.ids));
    QVERIFY(detected->specialTokens().addBos);
  }

  // Texts the two regexes split differently. Expected ids: a plain Python BPE
  // (the `regex` module with Llama 3's pattern, merges by rank, ignore_merges)
  // over the same two files, as data/tokenizers/llama-3/SOURCE.md describes;
  // the GPT-2 regex on the same files must give other ids, so each row can
  // tell the two apart (Python gives 4513 1774 3080 / 410 410 / ... 6 50 there).
  void regexesDiffer_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("ids");
    // \p{N}{1,3}: "123" "456" "7"; GPT-2's ` ?\p{N}+` keeps the run whole.
    QTest::newRow("digits") << QByteArray("1234567") << describe({4513, 10961, 22});
    QTest::newRow("zeros") << QByteArray("0000") << describe({931, 15});
    QTest::newRow("spaced digits") << QByteArray("in 2024 we") << describe({258, 220, 2366, 19, 584});
    // (?i:'s): Llama 3 cuts "'S" off "HELLO'S"; GPT-2's 's is lower case only.
    QTest::newRow("contraction upper case") << QByteArray("HELLO'S") << describe({51812, 1623, 13575});
  }
  void regexesDiffer() {
    QFETCH(QByteArray, text);
    QFETCH(QString, ids);
    auto detected = BpeTokenizer::fromGpt2Files(sharedPath("data/tokenizers/llama-3/encoder.json"),
                                                sharedPath("data/tokenizers/llama-3/vocab.bpe"), "auto");
    auto gpt2Regex = BpeTokenizer::fromGpt2Files(sharedPath("data/tokenizers/llama-3/encoder.json"),
                                                 sharedPath("data/tokenizers/llama-3/vocab.bpe"), "gpt-2");
    QCOMPARE(describe(detected->encode(text.toStdString()).ids), ids);
    QCOMPARE(describe(llama3->encode(text.toStdString()).ids), ids);
    QVERIFY(describe(gpt2Regex->encode(text.toStdString()).ids) != ids);
  }

  void vocabularyFingerprint() {
    std::vector<std::string> pieces{"a", "b", "\xC4\xA0"};
    for (int width = 1; width <= 3; ++width) // "0".."9", "00".."99", "000".."999"
      for (int i = 0; i < (width == 1 ? 10 : width == 2 ? 100 : 1000); ++i) {
        char digits[8];
        std::snprintf(digits, sizeof digits, "%0*d", width, i);
        pieces.emplace_back(digits);
      }
    QCOMPARE(BpeTokenizer::preTokenizerForVocabulary(pieces), std::string("llama-bpe"));
    pieces.push_back("2016");
    QCOMPARE(BpeTokenizer::preTokenizerForVocabulary(pieces), std::string("gpt-2"));
    pieces.pop_back();
    pieces.push_back("\xC4\xA0"
                     "7");
    QCOMPARE(BpeTokenizer::preTokenizerForVocabulary(pieces), std::string("gpt-2"));
    pieces.pop_back();
    pieces.erase(std::find(pieces.begin(), pieces.end(), "999"));
    QCOMPARE(BpeTokenizer::preTokenizerForVocabulary(pieces), std::string("gpt-2"));
  }

  // Decoding ids whose bytes are not valid UTF-8 gives one U+FFFD per invalid
  // sequence, as HF's ByteLevel decoder (Rust String::from_utf8_lossy); expected
  // strings are Python's bytes.decode("utf-8", "replace"), the same rule.
  void decodeReplacesInvalidUtf8_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("lone continuation") << QByteArray("a\x80"
                                                     "b")
                                       << QByteArray("a\xEF\xBF\xBD"
                                                     "b");
    QTest::newRow("two continuations") << QByteArray("\x80\xBF") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("truncated 3-byte at end") << QByteArray("caf\xE2\x82") << QByteArray("caf\xEF\xBF\xBD");
    QTest::newRow("truncated 3-byte then ASCII") << QByteArray("\xE2\x82"
                                                               "a")
                                                 << QByteArray("\xEF\xBF\xBD"
                                                               "a");
    QTest::newRow("truncated 4-byte") << QByteArray("\xF0\x9F\xA6") << QByteArray("\xEF\xBF\xBD");
    QTest::newRow("4-byte then stray")
        << QByteArray("\xF0\x9F\xA6\x99\xA6") << QByteArray("\xF0\x9F\xA6\x99\xEF\xBF\xBD");
    QTest::newRow("overlong") << QByteArray("\xC0\xAF") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x80\x80")
                                     << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80")
                               << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80")
                                    << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("FF") << QByteArray("\xFF") << QByteArray("\xEF\xBF\xBD");
    QTest::newRow("valid") << QByteArray("\xC3\xA9\xF0\x9F\xA6\x99")
                           << QByteArray("\xC3\xA9\xF0\x9F\xA6\x99");
  }
  void decodeReplacesInvalidUtf8() {
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expected);
    for (const BpeTokenizer* tokenizer : {llama3.get(), gpt2.get()}) {
      std::vector<int32_t> ids; // one byte token per byte
      for (const char c : bytes)
        ids.push_back(*tokenizer->pieceToId(ByteLevelAlphabet::symbol(static_cast<uint8_t>(c))));
      QCOMPARE(QByteArray::fromStdString(tokenizer->decode(ids)), expected);
    }
    QCOMPARE(QByteArray::fromStdString(Utf8::lossy(bytes.toStdString())), expected);
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
      // Decoding gives the text with each invalid sequence as U+FFFD.
      QCOMPARE(QByteArray::fromStdString(tokenizer->decode(e.ids)),
               QByteArray::fromStdString(Utf8::lossy(input)));
      QVERIFY(tokenizer->decode(e.ids).find("\xEF\xBF\xBD") != std::string::npos);
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
      // (a token holding part of a character decodes to U+FFFD on its own)
      QCOMPARE(llama3->decode({first.ids[i]}), Utf8::lossy(text.substr(span.begin, span.end - span.begin)));
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
                   "unknown 'falcon' (supported: auto, gpt-2, default, llama-bpe, llama3, qwen2)"),
               e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestBpeTokenizer)
#include "test_bpe_tokenizer.moc"
