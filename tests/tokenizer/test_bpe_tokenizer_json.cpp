// BpeTokenizer::fromTokenizerJson: the llama-bpe vectors through a Llama 3.1
// tokenizer.json built by tests/reference/make_llama3_tokenizer_json.py (ctest
// fixture llama3_tokenizer), Llama 3.1's special tokens, and small hand-written
// tokenizer.json files for the other features and for the error messages.
#include "core/tokenizer/BpeTokenizer.h"
#include "core/util/Error.h"
#include "tests/tokenizer/TokenizerVectors.h"

#include <fstream>
#include <memory>

using namespace poslab;
using namespace poslab::test;

namespace {

std::unique_ptr<BpeTokenizer> llama3;
std::vector<TokenizerVector> vectors;

std::string writeJson(const std::string& name, const std::string& text) {
  const std::string path = tempDir("bpe-json-" + name) + "/tokenizer.json";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

} // namespace

class TestBpeTokenizerJson : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    llama3 = BpeTokenizer::fromTokenizerJson(fixturePath("llama3-tokenizer/tokenizer.json"));
    vectors = loadTokenizerVectors(sharedPath("data/tokenizer-vectors/ggml-vocab-llama-bpe.gguf"));
    QCOMPARE(vectors.size(), size_t(46));
  }

  void llamaBpeVectors_data() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < vectors.size(); ++i)
      QTest::newRow(rowName(i, vectors[i].input).constData()) << static_cast<int>(i);
  }
  void llamaBpeVectors() {
    QFETCH(int, index);
    const TokenizerVector& v = vectors[index];
    const Encoding e = llama3->encode(v.input);
    QCOMPARE(describe(e.ids), describe(v.ids));
    QString why;
    QVERIFY2(spansTile(e, v.input.size(), &why), qPrintable(why));
    QCOMPARE(QByteArray::fromStdString(llama3->decode(e.ids)), QByteArray::fromStdString(v.input));
  }

  // The names the Llama 3.1 chat template uses, at Meta's ids.
  void specialTokens_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("id");
    QTest::newRow("bos") << "<|begin_of_text|>" << 128000;
    QTest::newRow("eos") << "<|end_of_text|>" << 128001;
    QTest::newRow("reserved 0") << "<|reserved_special_token_0|>" << 128002;
    QTest::newRow("pad") << "<|finetune_right_pad_id|>" << 128004;
    QTest::newRow("start header") << "<|start_header_id|>" << 128006;
    QTest::newRow("end header") << "<|end_header_id|>" << 128007;
    QTest::newRow("eom") << "<|eom_id|>" << 128008;
    QTest::newRow("eot") << "<|eot_id|>" << 128009;
    QTest::newRow("python tag") << "<|python_tag|>" << 128010;
    QTest::newRow("last reserved") << "<|reserved_special_token_247|>" << 128255;
  }
  void specialTokens() {
    QFETCH(QString, text);
    QFETCH(int, id);
    QCOMPARE(llama3->pieceToId(text.toStdString()), std::optional<int32_t>(id));
    QVERIFY(llama3->isSpecial(id));
    const Encoding parsed = llama3->encode(text.toStdString(), {.parseSpecial = true});
    QCOMPARE(describe(parsed.ids), describe({id}));
    QVERIFY(llama3->encode(text.toStdString()).ids.size() > 1); // plain text otherwise
  }

  void bosFromPostProcessor() {
    QCOMPARE(llama3->vocabSize(), 128256);
    QCOMPARE(llama3->specialTokens().bos, 128000);
    QVERIFY(llama3->specialTokens().addBos);
    // ollama's test: "hello <|end_of_text|>" with special-token parsing.
    QCOMPARE(describe(llama3->encode("hello <|end_of_text|>", {.parseSpecial = true}).ids),
             describe({15339, 220, 128001}));
    const Encoding chat = llama3->encode("<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
                                         {.addBos = true, .parseSpecial = true});
    QCOMPARE(describe(chat.ids), describe({128000, 128006, 882, 128007, 271, 13347, 128009}));
    QCOMPARE(llama3->decode(chat.ids), std::string("user\n\nHi"));
  }

  // Merges as ["a", "b"] pairs (tokenizers >= 0.20), a non-special added token
  // (always matched, as HF does), Digits, a String Split, unk with fuse_unk.
  void pairMergesAndAddedTokens() {
    const std::string path = writeJson("pairs", R"({
      "added_tokens": [{"id": 9, "content": "<sep>", "special": false},
                       {"id": 10, "content": "<ctl>", "special": true}],
      "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
          {"type": "Digits", "individual_digits": true},
          {"type": "Split", "pattern": {"String": "-"}, "behavior": "Removed"}]},
      "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true,
                "vocab": {"a": 0, "b": 1, "ab": 2, "1": 3, "2": 4, "c": 5, "abc": 6, "<": 7, ">": 8, "<unk>": 11},
                "merges": [["a", "b"], ["ab", "c"]]}})");
    auto t = BpeTokenizer::fromTokenizerJson(path);
    QCOMPARE(describe(t->encode("abc12ab").ids), describe({6, 3, 4, 2}));
    QCOMPARE(describe(t->encode("ab-c").ids), describe({2, 5}));
    QCOMPARE(describe(t->encode("ab<sep>c").ids), describe({2, 9, 5}));
    QCOMPARE(describe(t->encode("ab<ctl>", {.parseSpecial = true}).ids), describe({2, 10}));
    QCOMPARE(describe(t->encode("<ctl>").ids), describe({7, 5, 11, 8})); // "tl" is one fused unk
    QCOMPARE(t->specialTokens().unk, 11);
  }

  // SentencePiece-derived BPE: Metaspace ("first") + byte_fallback.
  void metaspaceByteFallback() {
    const std::string path = writeJson("metaspace", R"({
      "added_tokens": [{"id": 8, "content": "[INST]", "special": true}],
      "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
      "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
      "model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
                "vocab": {"<unk>": 0, "▁": 1, "h": 2, "i": 3, "▁h": 4, "▁hi": 5, "<0xC3>": 6, "<0xA9>": 7},
                "merges": ["▁ h", "▁h i"]}})");
    auto t = BpeTokenizer::fromTokenizerJson(path);
    const Encoding e = t->encode("hi é");
    QCOMPARE(describe(e.ids), describe({5, 1, 6, 7}));
    QCOMPARE(e.offsets[0].begin, size_t(0)); // "▁hi": the prefix covers nothing, "hi" is [0, 2)
    QCOMPARE(e.offsets[0].end, size_t(2));
    QCOMPARE(e.offsets[1].begin, size_t(2)); // "▁" from the space
    QCOMPARE(e.offsets[3].end, size_t(5));
    QCOMPARE(t->decode(e.ids), std::string("hi é"));
    // "first": only the text at offset 0 gets the prefix; after [INST] the
    // space itself is the "▁" (HF legacy=false behaviour).
    QCOMPARE(describe(t->encode("[INST] hi", {.parseSpecial = true}).ids), describe({8, 5}));
    QCOMPARE(describe(t->encode("[INST]hi", {.parseSpecial = true}).ids), describe({8, 2, 3}));
  }

  // normalizer NFC / NFD / NFKC / NFKD (alone and inside a Sequence) runs before
  // the model: composed and decomposed spellings meet the same vocabulary entry.
  void unicodeNormalizers_data() {
    QTest::addColumn<QString>("normalizer");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("ids");
    const QString nfc = R"({"type": "NFC"})";
    QTest::newRow("NFC decomposed") << nfc << QByteArray("e\xCC\x81") << describe({1});
    QTest::newRow("NFC composed") << nfc << QByteArray("\xC3\xA9") << describe({1});
    QTest::newRow("no normalizer") << "null" << QByteArray("e\xCC\x81") << describe({2, 3});
    QTest::newRow("NFD composed") << R"({"type": "NFD"})" << QByteArray("\xC3\xA9") << describe({2, 3});
    QTest::newRow("NFKC ligature")
        << R"({"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Prepend", "prepend": "x"}]})"
        << QByteArray("\xEF\xAC\x81") << describe({4, 7});
    QTest::newRow("NFKD ligature and accent")
        << R"({"type": "NFKD"})" << QByteArray("\xEF\xAC\x81\xC3\xA9") << describe({7, 2, 3});
  }
  void unicodeNormalizers() {
    QFETCH(QString, normalizer);
    QFETCH(QByteArray, text);
    QFETCH(QString, ids);
    const std::string path = writeJson("unicode", R"({"normalizer": )" + normalizer.toStdString() + R"(,
      "model": {"type": "BPE", "unk_token": "<unk>",
                "vocab": {"<unk>": 0, "\u00e9": 1, "e": 2, "\u0301": 3, "x": 4, "f": 5, "i": 6, "fi": 7},
                "merges": ["f i"]}})");
    auto t = BpeTokenizer::fromTokenizerJson(path);
    const Encoding e = t->encode(text.toStdString());
    QCOMPARE(describe(e.ids), ids);
    // Offsets still point into the caller's text: the last token ends at its end.
    QCOMPARE(e.offsets.back().end, static_cast<size_t>(text.size()));
  }

  void errorsNameFileAndField_data() {
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no model") << R"({"added_tokens": []})"
                              << ": model: missing";
    QTest::newRow("unigram") << R"({"model": {"type": "Unigram", "vocab": []}})"
                             << "model.type: unsupported 'Unigram'";
    QTest::newRow("merge unknown")
        << R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b", "ab z"]}})"
        << "model.merges[1]: 'ab z' names unknown token 'z'";
    QTest::newRow("merge result unknown")
        << R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": [["a", "b"]]}})"
        << "model.merges[0]: 'a b' makes 'ab', which is not in the vocabulary";
    QTest::newRow("bad pre-tokenizer")
        << R"({"pre_tokenizer": {"type": "BertPreTokenizer"}, "model": {"type": "BPE", "vocab": {}, "merges": []}})"
        << "pre_tokenizer.type: unsupported pre-tokenizer 'BertPreTokenizer'";
    QTest::newRow("bad regex") << "{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": "
                                  "\"[a\"}, \"behavior\": \"Isolated\"}, "
                                  "\"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}"
                               << "pre_tokenizer.pattern.Regex";
    // Found by fuzzing (tests/fuzz/corpus/tokenizer_json/crash-*): wrong types used to escape as
    // nlohmann exceptions.
    QTest::newRow("type not a string") << R"({"model": {"type": 3, "vocab": {}, "merges": []}})"
                                       << "model.type: expected a string";
    QTest::newRow("dropout not a number")
        << R"({"model": {"type": "BPE", "dropout": "x", "vocab": {}, "merges": []}})"
        << "model.dropout: expected a number or null";
    QTest::newRow("decoder strip start not a number")
        << R"({"decoder": {"type": "Strip", "start": "1"}, "model": {"type": "BPE", "vocab": {}, "merges": []}})"
        << "a field has the wrong type or shape";
  }
  void errorsNameFileAndField() {
    QFETCH(QString, json);
    QFETCH(QString, expected);
    const std::string path = writeJson("error", json.toStdString());
    try {
      BpeTokenizer::fromTokenizerJson(path);
      QFAIL("the file was accepted");
    } catch (const Error& e) {
      const QString message = e.what();
      QVERIFY2(message.startsWith(QString::fromStdString(path) + ": "), qPrintable(message));
      QVERIFY2(message.contains(expected), qPrintable(message));
    }
  }
};

QTEST_GUILESS_MAIN(TestBpeTokenizerJson)
#include "test_bpe_tokenizer_json.moc"
