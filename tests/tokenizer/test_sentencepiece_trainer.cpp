// SentencePieceTrainer: sentencepiece's own trainer through the dlopen'ed shim
// gives the same tokenizer.model bytes for the same sentences and seed, and the
// result loads and tokenises as configured (newline piece, split digits).
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/tokenizer/SentencePieceTrainer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <algorithm>

using namespace poslab;
using namespace poslab::test;

namespace {

std::vector<std::string> corpus() {
  const std::vector<std::string> names = {"Bada", "Kilo", "Remi", "Sovu", "Tane", "Vizo", "Luma", "Gepa"};
  std::vector<std::string> out;
  for (int i = 0; i < 400; ++i)
    out.push_back("Document [" + std::to_string(i % 20 + 1) + "](Title: " +
                  names[static_cast<size_t>(i) % names.size()] + ") " + std::to_string(10 + (i * 37) % 90));
  out.push_back("Question: What is the code of Remi?");
  out.push_back("Answer: 42");
  return out;
}

SentencePieceTrainer::Options options() {
  return {{"model_type", "bpe"},
          {"vocab_size", "80"},
          {"hard_vocab_limit", "false"},
          {"split_digits", "true"},
          {"user_defined_symbols", "\n"},
          {"add_dummy_prefix", "false"},
          {"normalization_rule_name", "identity"},
          {"remove_extra_whitespaces", "false"},
          {"unk_id", "0"},
          {"bos_id", "1"},
          {"eos_id", "2"},
          {"pad_id", "-1"}};
}

} // namespace

class TestSentencePieceTrainer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void sameInputSameModel() {
    const std::string a = SentencePieceTrainer::train(corpus(), options(), 1);
    const std::string b = SentencePieceTrainer::train(corpus(), options(), 1);
    QVERIFY(!a.empty());
    QCOMPARE(a, b);
    auto other = corpus();
    other.push_back("Document [3](Title: Zuzu) 77");
    QVERIFY(SentencePieceTrainer::train(other, options(), 1) != a);
  }

  void trainedModelTokenises() {
    const std::string dir = tempDir("spm-load");
    AtomicFile::writeText(dir + "/tokenizer.model", SentencePieceTrainer::train(corpus(), options(), 1));
    auto tok = SentencePieceTokenizer::fromFile(dir + "/tokenizer.model");
    QVERIFY(tok->vocabSize() > 20);
    QCOMPARE(tok->piece(1), std::string("<s>"));
    QCOMPARE(tok->piece(2), std::string("</s>"));
    // The newline is one piece of its own; digits are split.
    const auto nl = tok->pieceToId("\n");
    QVERIFY(nl.has_value());
    const Encoding e = tok->encode("Remi) 42\nDocument");
    QVERIFY(std::find(e.ids.begin(), e.ids.end(), *nl) != e.ids.end());
    QCOMPARE(tok->decode(e.ids), std::string("Remi) 42\nDocument"));
    QVERIFY(tok->pieceToId("4").has_value());
    QVERIFY(!tok->pieceToId("42").has_value());
  }

  void badInputIsAnError() {
    QVERIFY_THROWS_EXCEPTION(Error, SentencePieceTrainer::train({"a\nb"}, options(), 1));
    QVERIFY_THROWS_EXCEPTION(Error, SentencePieceTrainer::train({}, options(), 1));
    auto bad = options();
    bad["model_type"] = "no-such-type";
    QVERIFY_THROWS_EXCEPTION(Error, SentencePieceTrainer::train(corpus(), bad, 1));
  }
};

QTEST_GUILESS_MAIN(TestSentencePieceTrainer)
#include "test_sentencepiece_trainer.moc"
