// SentencePieceTokenizer: the real libsentencepiece through the dlopen'ed shim,
// in a process that links LibTorch (this executable links poslab_tokenizer ->
// poslab_weights -> torch), checked against llama.cpp's Llama-2 vectors and
// Mistral's v3 chat samples; bad files and a missing shim give errors.
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/tokenizer/SpmShimLibrary.h"
#include "core/util/Error.h"
#include "tests/tokenizer/TokenizerVectors.h"

#include <cstdlib>
#include <fstream>
#include <regex>

using namespace poslab;
using namespace poslab::test;

namespace {

const std::string kLlama = "models/llama2-tokenizer/tokenizer.model";
const std::string kMistral =
    "data/tokenizers/mistral-7b-instruct-v0.3/mistral_instruct_tokenizer_240323.model.v3";
const std::string kVectors = "data/tokenizer-vectors/ggml-vocab-llama-spm.gguf";
const std::string kSamples = "data/tokenizer-vectors/mistral-common-v3/";
constexpr int32_t kLastMistralControl = 770; // ids above are byte or normal pieces (SOURCE.md)

std::vector<int32_t> readTokens(const std::string& path) {
  const std::string json = readFile(path);
  std::vector<int32_t> ids;
  const std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), number); it != std::sregex_iterator(); ++it)
    ids.push_back(std::stoi(it->str()));
  return ids;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace

class TestSentencePieceTokenizer : public QObject {
  Q_OBJECT
  std::unique_ptr<SentencePieceTokenizer> llama_;
  std::vector<TokenizerVector> vectors_;

  void vectorRows() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < vectors_.size(); ++i)
      QTest::newRow(rowName(i, vectors_[i].input).constData()) << static_cast<int>(i);
  }

private Q_SLOTS:
  // First: nothing has loaded the shim in this process yet.
  void missingShimIsAnError() {
    const std::string missing = tempDir("spm-noshim") + "/libposlab_spm.so";
    qputenv(SpmShimLibrary::kEnvVar, QByteArray::fromStdString(missing));
    try {
      SentencePieceTokenizer::fromFile(sharedPath(kLlama));
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(QString::fromStdString(missing)), e.what());
      QVERIFY2(QString(e.what()).contains("sentencepiece shim"), e.what());
    }
    // A file that is not a shim at all.
    const std::string bogus = tempDir("spm-bogusshim") + "/libposlab_spm.so";
    writeFile(bogus, "not an ELF file");
    qputenv(SpmShimLibrary::kEnvVar, QByteArray::fromStdString(bogus));
    QVERIFY_THROWS_EXCEPTION(Error, SentencePieceTokenizer::fromFile(sharedPath(kLlama)));
    qunsetenv(SpmShimLibrary::kEnvVar); // the rest find it beside the executable (../lib)
  }

  void initTestCase() {} // (kept trivial: missingShimIsAnError must run before any load)

  void loadsLlama() {
    llama_ = SentencePieceTokenizer::fromFile(sharedPath(kLlama));
    vectors_ = loadTokenizerVectors(sharedPath(kVectors));
    QCOMPARE(vectors_.size(), size_t(46));
    QCOMPARE(llama_->kind(), std::string("sentencepiece"));
    QCOMPARE(llama_->vocabSize(), 32000);
    QCOMPARE(llama_->specialTokens().unk, 0);
    QCOMPARE(llama_->specialTokens().bos, 1);
    QCOMPARE(llama_->specialTokens().eos, 2);
    QCOMPARE(llama_->specialTokens().pad, -1);
    QCOMPARE(llama_->piece(3), std::string("<0x00>"));
    QCOMPARE(llama_->pieceType(3), SpmPieceType::Byte);
    QCOMPARE(llama_->pieceType(0), SpmPieceType::Unknown);
    QCOMPARE(llama_->pieceType(1), SpmPieceType::Control);
    QCOMPARE(llama_->pieceType(15043), SpmPieceType::Normal);
    QCOMPARE(llama_->pieceToId("\xE2\x96\x81Hello"), std::optional<int32_t>(15043));
    QCOMPARE(llama_->pieceToId("<unk>"), std::optional<int32_t>(0));
    QCOMPARE(llama_->pieceToId("no such piece"), std::nullopt);
    QVERIFY_THROWS_EXCEPTION(Error, llama_->piece(32000));
  }

  void llamaSpmVectors_data() { vectorRows(); }
  void llamaSpmVectors() {
    QFETCH(int, index);
    const auto& v = vectors_[static_cast<size_t>(index)];
    QCOMPARE(describe(llama_->encode(v.input).ids), describe(v.ids));
  }

  void offsetsInsideInput_data() { vectorRows(); }
  void offsetsInsideInput() {
    QFETCH(int, index);
    const auto& v = vectors_[static_cast<size_t>(index)];
    QString why;
    QVERIFY2(spansInside(llama_->encode(v.input), v.input.size(), &why), qPrintable(why));
  }

  void offsetsTileNormalText_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("words") << "Hello world";
    QTest::newRow("paragraph") << QString::fromUtf8(kParagraph);
    QTest::newRow("digits") << "In 1998, 333333333 people paid $12.50.";
    QTest::newRow("unicode") << QString::fromUtf8("Cửa Việt, Äpfel and 🦙 llamas");
    QTest::newRow("spaces") << "  two  spaces\tand\ttabs\n";
  }
  void offsetsTileNormalText() {
    QFETCH(QString, text);
    const std::string input = text.toStdString();
    const Encoding e = llama_->encode(input);
    QString why;
    QVERIFY2(spansInside(e, input.size(), &why), qPrintable(why));
    QVERIFY2(spansTile(e, input.size(), &why), qPrintable(why));
    QCOMPARE(e.offsets[0].begin, size_t(0));
  }

  void bosAndControlTexts() {
    const Encoding e = llama_->encode("<s>Hi</s>", {.addBos = true, .parseSpecial = true});
    QCOMPARE(e.ids.front(), 1);
    QCOMPARE(e.offsets.front().end, size_t(0));
    QCOMPARE(e.ids[1], 1);
    QCOMPARE(e.offsets[1].end, size_t(3));
    QCOMPARE(e.ids.back(), 2);
    QCOMPARE(e.offsets.back().begin, size_t(5));
    QCOMPARE(llama_->decode(e.ids), std::string("Hi"));
    QCOMPARE(llama_->decode(e.ids, true), std::string("<s><s> Hi</s>"));
    const Encoding plain = llama_->encode("<s>Hi</s>");
    QVERIFY(std::find(plain.ids.begin(), plain.ids.end(), 1) == plain.ids.end());
  }

  void invalidUtf8DoesNotCrash() {
    const std::string text("ok \xFF\xFE x \xE4\xB8", 10);
    const Encoding e = llama_->encode(text);
    QVERIFY(!e.ids.empty());
    QString why;
    QVERIFY2(spansInside(e, text.size(), &why), qPrintable(why));
    QVERIFY_THROWS_EXCEPTION(Error, llama_->decode({-5}));
    QVERIFY_THROWS_EXCEPTION(Error, llama_->decode({32000}));
  }

  void mistralV3Loads() {
    const auto mistral = SentencePieceTokenizer::fromFile(sharedPath(kMistral));
    QCOMPARE(mistral->vocabSize(), 32768);
    QCOMPARE(mistral->specialTokens().bos, 1);
    QCOMPARE(mistral->specialTokens().eos, 2);
    QCOMPARE(mistral->specialTokens().pad, -1);
    QCOMPARE(mistral->piece(3), std::string("[INST]"));
    QCOMPARE(mistral->pieceType(3), SpmPieceType::Control);
    QCOMPARE(mistral->piece(771), std::string("<0x00>"));
    QCOMPARE(describe(mistral->encode("What's the result of 5 + 5?").ids),
             QString("2592 29510 29481 1040 1972 1070 29473 29550 1416 29473 29550 29572"));
  }

  void mistralSamples_data() {
    QTest::addColumn<QString>("sample");
    for (const char* name : {"no_tools", "get_weather_full", "get_weather_no_history",
                             "get_weather_no_system_prompt", "several_calls", "parallel_calls"})
      QTest::newRow(name) << name;
  }
  // The pieces of the reference ids spell text_v3.txt, and every run of
  // non-control ids decodes to text that encodes back to the same ids.
  void mistralSamples() {
    QFETCH(QString, sample);
    static const auto mistral = SentencePieceTokenizer::fromFile(sharedPath(kMistral));
    const std::string dir = kSamples + sample.toStdString() + "/";
    const std::vector<int32_t> ids = readTokens(sharedPath(dir + "tokens_v3.json"));
    std::string pieces;
    for (int32_t id : ids)
      pieces += mistral->piece(id);
    QCOMPARE(pieces, readFile(sharedPath(dir + "text_v3.txt")));

    std::vector<std::vector<int32_t>> runs(1);
    for (int32_t id : ids) {
      if (id > kLastMistralControl)
        runs.back().push_back(id);
      else if (!runs.back().empty())
        runs.emplace_back();
    }
    if (runs.back().empty()) runs.pop_back();
    QVERIFY(!runs.empty());
    for (const auto& run : runs)
      QCOMPARE(describe(mistral->encode(mistral->decode(run)).ids), describe(run));
    // keepSpecial brings the control pieces back.
    QVERIFY(mistral->decode(ids, true).starts_with("<s>[INST]"));
  }

  void badModelFiles_data() {
    QTest::addColumn<QString>("kind");
    QTest::newRow("missing") << "missing";
    QTest::newRow("empty") << "empty";
    QTest::newRow("text") << "text";
    QTest::newRow("truncated") << "truncated";
    QTest::newRow("corrupt") << "corrupt";
    QTest::newRow("gguf") << "gguf";
    QTest::newRow("no pieces") << "nopieces";
    QTest::newRow("no unknown piece") << "nounk";
  }
  void badModelFiles() {
    QFETCH(QString, kind);
    const std::string dir = tempDir("spm-bad-" + kind.toStdString());
    const std::string path = dir + "/tokenizer.model";
    const std::string llama = readFile(sharedPath(kLlama));
    if (kind == "empty") writeFile(path, "");
    if (kind == "text") writeFile(path, "this is not a model\n");
    if (kind == "truncated") writeFile(path, llama.substr(0, llama.size() / 3));
    if (kind == "corrupt") {
      std::string bytes = llama;
      for (size_t i = 100; i < bytes.size(); i += 97)
        bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
      writeFile(path, bytes);
    }
    if (kind == "gguf") writeFile(path, readFile(sharedPath(kVectors)));
    // Well-formed protobuf that sentencepiece must still refuse (never abort on):
    // only a trainer_spec {model_type: BPE}; one normal piece {piece: "a", type: NORMAL}.
    if (kind == "nopieces") writeFile(path, std::string("\x12\x02\x18\x02", 4));
    if (kind == "nounk") writeFile(path, std::string("\x0a\x05\x0a\x01\x61\x18\x01\x12\x02\x18\x02", 11));
    try {
      SentencePieceTokenizer::fromFile(path);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("tokenizer.model: not a SentencePiece model ("), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestSentencePieceTokenizer)
#include "test_sentencepiece_tokenizer.moc"
