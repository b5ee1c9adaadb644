// Training sequences from retrieval examples: the sweep's prompt ids, then the
// answer ids and EOS under the loss mask; gold positions drawn from the given
// weights, reproducibly per example.
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/train/PromptSequenceBuilder.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>

using namespace poslab;
using namespace poslab::test;

namespace {

RetrievalExample example(size_t index) {
  RetrievalExample ex;
  ex.index = index;
  ex.question = "who wrote the opera carmen";
  ex.answers = {"Georges Bizet", "Bizet"};
  for (int i = 0; i < 5; ++i)
    ex.documents.push_back(
        {"Title " + std::to_string(i), "Distractor number " + std::to_string(i) + ".", false});
  ex.documents[0] = {"Carmen", "Carmen is an opera by Georges Bizet.", true};
  return ex;
}

} // namespace

class TestPromptSequenceBuilder : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    gguf_ = std::make_unique<GgufFile>(sharedPath("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf"));
    tok_ = GgufSpmTokenizer::fromGguf(*gguf_);
  }

  void sequenceIsPromptThenAnswerThenEos() {
    PromptFactory factory(*tok_, std::nullopt, {});
    const int32_t eos = tok_->specialTokens().eos;
    PromptSequenceBuilder builder(factory, eos, {0, 0, 1, 0, 0}, 1);
    const RetrievalExample ex = example(4);
    QCOMPARE(builder.positionFor(ex), size_t(2));
    const TrainingSequence s = builder.build(ex);
    const PromptInstance prompt = factory.atPosition(ex, 2);
    QCOMPARE(prompt.example.goldIndex(), std::optional<size_t>(2));
    const size_t n = prompt.encoding.ids.size();
    QVERIFY(std::equal(prompt.encoding.ids.begin(), prompt.encoding.ids.end(), s.ids.begin()));
    QCOMPARE(s.ids.back(), eos);
    QCOMPARE(s.lossMask.size(), s.ids.size());
    for (size_t t = 0; t < s.ids.size(); ++t)
      QCOMPARE(int(s.lossMask[t]), t < n ? 0 : 1);
    const std::vector<int32_t> answer(s.ids.begin() + static_cast<std::ptrdiff_t>(n), s.ids.end() - 1);
    QCOMPARE(answer, factory.answerIds(prompt, "Georges Bizet"));
    QCOMPARE(QString::fromStdString(tok_->decode(answer)).trimmed(), QString("Georges Bizet"));
  }

  void positionsFollowTheWeights() {
    PromptFactory factory(*tok_, std::nullopt, {});
    PromptSequenceBuilder builder(factory, 2, {4, 1, 0, 1, 2}, 9);
    std::vector<int> counts(5, 0);
    const int n = 4000;
    for (int i = 0; i < n; ++i)
      ++counts[builder.positionFor(example(static_cast<size_t>(i)))];
    const double want[] = {0.5, 0.125, 0, 0.125, 0.25};
    for (size_t p = 0; p < 5; ++p) // binomial sd at n = 4000 is <= 0.008
      QVERIFY2(std::abs(counts[p] / double(n) - want[p]) < 0.03, qPrintable(QString::number(counts[p])));
    QCOMPARE(counts[2], 0);
    // Reproducible per example, whatever else is drawn.
    QCOMPARE(builder.positionFor(example(17)),
             PromptSequenceBuilder(factory, 2, {4, 1, 0, 1, 2}, 9).positionFor(example(17)));
  }

  void uniformWithoutWeights() {
    PromptFactory factory(*tok_, std::nullopt, {});
    PromptSequenceBuilder builder(factory, 2, {}, 3);
    std::vector<int> counts(5, 0);
    for (int i = 0; i < 1000; ++i)
      ++counts[builder.positionFor(example(static_cast<size_t>(i)))];
    for (int c : counts)
      QVERIFY(c > 150 && c < 250);
  }

  void errors_data() {
    QTest::addColumn<QString>("weights");
    QTest::addColumn<QString>("message");
    QTest::newRow("count") << "1,1,1"
                           << "example 0: position weights: 3 weights for 5 positions";
    QTest::newRow("not a number") << "1,x,1"
                                  << "--position-weights: \"x\" is not a number";
    QTest::newRow("negative") << "1,-1,1,1,1"
                              << "position weights: must be finite and >= 0";
    QTest::newRow("all zero") << "0,0,0,0,0"
                              << "position weights: at least one must be > 0";
  }
  void errors() {
    QFETCH(QString, weights);
    QFETCH(QString, message);
    PromptFactory factory(*tok_, std::nullopt, {});
    try {
      PromptSequenceBuilder builder(
          factory, 2, PromptSequenceBuilder::parseWeights(weights.toStdString(), "--position-weights"), 0);
      builder.build(example(0));
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()), message);
    }
  }

private:
  std::unique_ptr<GgufFile> gguf_;
  std::unique_ptr<Tokenizer> tok_;
};

QTEST_GUILESS_MAIN(TestPromptSequenceBuilder)
#include "test_prompt_sequence_builder.moc"
