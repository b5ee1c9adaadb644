// SentencePieceModelWriter: a tokenizer.model written from a GGUF vocabulary
// and loaded by the real libsentencepiece (SentencePieceTokenizer) must
// tokenise exactly as our GgufSpmTokenizer does on the same vocabulary.
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/tokenizer/SentencePieceModelWriter.h"
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/tokenizer/TokenizerVectors.h"

using namespace poslab;
using namespace poslab::test;

namespace {

const std::string kStories = "models/stories260K/stories260K.gguf";
const std::string kLlamaVocab = "data/tokenizer-vectors/ggml-vocab-llama-spm.gguf";

struct Pair {
  std::unique_ptr<GgufSpmTokenizer> ours;
  std::unique_ptr<SentencePieceTokenizer> written;
};

Pair convert(const std::string& gguf, const std::string& name) {
  GgufFile file(sharedPath(gguf));
  Pair pair{GgufSpmTokenizer::fromGguf(file), nullptr};
  const std::string path = tempDir(name) + "/tokenizer.model";
  SentencePieceModelWriter::write(pair.ours->modelSpec(), path);
  pair.written = SentencePieceTokenizer::fromFile(path);
  return pair;
}

SentencePieceModelSpec tinySpec() {
  SentencePieceModelSpec spec;
  spec.pieces = {"<unk>", "<s>", "</s>", "a"};
  spec.scores = {0, 0, 0, -1};
  spec.types = {SpmPieceType::Unknown, SpmPieceType::Control, SpmPieceType::Control, SpmPieceType::Normal};
  spec.byteFallback = false;
  return spec;
}

} // namespace

class TestSentencePieceModelWriter : public QObject {
  Q_OBJECT
  Pair stories_;
  Pair llama_;
  std::vector<TokenizerVector> vectors_;

  void inputRows() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < vectors_.size(); ++i)
      QTest::newRow(rowName(i, vectors_[i].input).constData()) << static_cast<int>(i);
    QTest::newRow("paragraph") << -1;
  }
  std::string input(int index) const {
    return index < 0 ? std::string(kParagraph) : vectors_[static_cast<size_t>(index)].input;
  }

private Q_SLOTS:
  void initTestCase() {
    stories_ = convert(kStories, "writer-stories");
    llama_ = convert(kLlamaVocab, "writer-llama");
    vectors_ = loadTokenizerVectors(sharedPath(kLlamaVocab));
  }

  void writtenModelKeepsTheVocabulary() {
    QCOMPARE(stories_.written->vocabSize(), 512);
    QCOMPARE(stories_.ours->vocabSize(), 512);
    for (int32_t id = 0; id < 512; ++id) {
      QCOMPARE(stories_.written->piece(id), stories_.ours->piece(id));
      QCOMPARE(stories_.written->score(id), stories_.ours->score(id));
      QCOMPARE(stories_.written->pieceType(id), stories_.ours->pieceType(id));
    }
    const SpecialTokens& a = stories_.written->specialTokens();
    const SpecialTokens& b = stories_.ours->specialTokens();
    QCOMPARE(a.unk, b.unk);
    QCOMPARE(a.bos, b.bos);
    QCOMPARE(a.eos, b.eos);
    QCOMPARE(a.pad, b.pad);
  }

  // stories260K: 512 pieces, so most text falls back to merges of short
  // pieces and to bytes; the two implementations must agree id for id.
  void storiesIdenticalIds_data() { inputRows(); }
  void storiesIdenticalIds() {
    QFETCH(int, index);
    const std::string text = input(index);
    const Encoding ours = stories_.ours->encode(text);
    QCOMPARE(describe(stories_.written->encode(text).ids), describe(ours.ids));
  }

  void storiesDecodeRoundTrip_data() { inputRows(); }
  void storiesDecodeRoundTrip() {
    QFETCH(int, index);
    const std::string text = input(index);
    const std::vector<int32_t> ids = stories_.ours->encode(text).ids;
    const std::string decoded = stories_.ours->decode(ids);
    QCOMPARE(QString::fromStdString(decoded), QString::fromStdString(stories_.written->decode(ids)));
    QCOMPARE(QString::fromStdString(decoded), QString::fromStdString(text));
  }

  // The Llama-2 vocabulary written from its GGUF reproduces the Hugging Face ids.
  void llamaWrittenModelVectors_data() { inputRows(); }
  void llamaWrittenModelVectors() {
    QFETCH(int, index);
    const std::string text = input(index);
    const std::vector<int32_t> ids = llama_.written->encode(text).ids;
    QCOMPARE(describe(ids), describe(llama_.ours->encode(text).ids));
    if (index >= 0) QCOMPARE(describe(ids), describe(vectors_[static_cast<size_t>(index)].ids));
    QCOMPARE(llama_.ours->decode(ids), llama_.written->decode(ids));
  }

  void invalidSpecsAreRefused_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("field");
    QTest::newRow("duplicate") << "duplicate"
                               << "piece 3";
    QTest::newRow("empty piece") << "empty"
                                 << "piece 3";
    QTest::newRow("no unknown") << "nounk"
                                << "pieces";
    QTest::newRow("bos out of range") << "bos"
                                      << "bos_id";
    QTest::newRow("short scores") << "scores"
                                  << "pieces";
    QTest::newRow("byte without fallback") << "byte"
                                           << "piece 3";
  }
  void invalidSpecsAreRefused() {
    QFETCH(QString, change);
    QFETCH(QString, field);
    SentencePieceModelSpec spec = tinySpec();
    if (change == "duplicate") spec.pieces[3] = "<s>";
    if (change == "empty") spec.pieces[3] = "";
    if (change == "nounk") spec.types[0] = SpmPieceType::Control;
    if (change == "bos") spec.bosId = 4;
    if (change == "scores") spec.scores.pop_back();
    if (change == "byte") spec.types[3] = SpmPieceType::Byte;
    try {
      SentencePieceModelWriter::serialize(spec);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).startsWith("tokenizer.model: " + field), e.what());
    }
  }

  void tinyModelLoads() {
    const std::string path = tempDir("writer-tiny") + "/tokenizer.model";
    SentencePieceModelSpec spec = tinySpec();
    spec.padId = -1;
    SentencePieceModelWriter::write(spec, path);
    const auto tok = SentencePieceTokenizer::fromFile(path);
    QCOMPARE(tok->vocabSize(), 4);
    QCOMPARE(tok->specialTokens().bos, 1);
    QCOMPARE(describe(tok->encode("a").ids), QString("0 3")); // "▁" is unknown, then "a"
  }

  void unwritablePathIsNamed() {
    const std::string path = tempDir("writer-unwritable") + "/no/such/dir/tokenizer.model";
    try {
      SentencePieceModelWriter::write(tinySpec(), path);
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestSentencePieceModelWriter)
#include "test_sentencepiece_model_writer.moc"
