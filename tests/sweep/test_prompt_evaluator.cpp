// PromptEvaluator on a real model (stories260K): a batch of prompts of
// different lengths, some sharing a prefix, with answers of 0, 1 and several
// tokens, gives per prompt what evaluating it alone from scratch gives; rows
// stop for different reasons (the context limit, the token limit) while the
// others go on; a raised cancel flag stops it.
#include "core/engine/Engine.h"
#include "core/sweep/PromptEvaluator.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;
using namespace poslab::test;

class TestPromptEvaluator : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    engine_ = Engine::open(sharedPath("models/stories260K/stories260K.gguf"), {"cpu", "f32", 1, "", false});
    const std::string story = "Once upon a time, there was a little girl named Lily. She had a red ball.";
    auto ids = [&](const std::string& text) { return engine_->tokenize(text, true).ids; };
    auto answer = [&](const std::string& text) { return engine_->tokenize(text, false).ids; };
    jobs_ = {{ids(story + " One day, Lily went to the park with her ball."), answer(" red ball")},
             {ids(story + " One day, Lily saw a big dog."), {}},
             {ids("Tom had a cat."), {answer(" cat").front()}}, // one token
             {ids(story + " What colour was the ball? It was"), answer(" red")}};
    QVERIFY(jobs_[0].answer.size() > 1);
    QCOMPARE(jobs_[2].answer.size(), size_t(1));
    for (int32_t id : engine_->tokenizer()->specialTokens().extraEos)
      options_.stopIds.push_back(id);
    options_.stopIds.push_back(engine_->tokenizer()->specialTokens().eos);
    options_.maxNewTokens = 12;
    // The longest prompt meets the context limit after a few tokens; the others do not.
    options_.contextLength = static_cast<int64_t>(jobs_[0].prompt.size()) + 4;
  }

  void batchEqualsEachAlone() {
    PrefixCache shared(engine_->model(), true);
    PromptEvaluator batched(engine_->model(), *engine_->tokenizer(), shared, options_);
    const auto all = batched.evaluate(jobs_);
    QVERIFY(all && all->size() == jobs_.size());
    for (size_t i = 0; i < jobs_.size(); ++i) {
      PrefixCache fresh(engine_->model(), false);
      PromptEvaluator alone(engine_->model(), *engine_->tokenizer(), fresh, options_);
      const auto one = alone.evaluate({jobs_[i]});
      QVERIFY(one && one->size() == 1);
      const PromptEvaluation &a = (*all)[i], &b = one->front();
      const std::string row = "row " + std::to_string(i);
      QVERIFY2(a.prediction == b.prediction, (row + ": " + a.prediction + " vs " + b.prediction).c_str());
      QCOMPARE(a.stopReason, b.stopReason);
      QCOMPARE(a.decodeTokens, b.decodeTokens);
      QCOMPARE(a.promptTokens, static_cast<int64_t>(jobs_[i].prompt.size()));
      QCOMPARE(a.answerTokens, static_cast<int64_t>(jobs_[i].answer.size()));
      QCOMPARE(b.prefillTokens, b.promptTokens);
      QCOMPARE(a.answerLogprob.has_value(), !jobs_[i].answer.empty());
      QCOMPARE(b.answerLogprob.has_value(), !jobs_[i].answer.empty());
      if (a.answerLogprob) {
        QVERIFY(*a.answerLogprob < 0);
        QVERIFY2(std::abs(*a.answerLogprob - *b.answerLogprob) < 1e-4,
                 (row + ": " + std::to_string(*a.answerLogprob) + " vs " + std::to_string(*b.answerLogprob))
                     .c_str());
      }
      QVERIFY(a.seconds > 0);
    }
    // Reuse: the second and fourth prompts share the story with the first.
    QCOMPARE((*all)[0].prefillTokens, (*all)[0].promptTokens);
    QVERIFY((*all)[1].prefillTokens < (*all)[1].promptTokens);
    QCOMPARE((*all)[2].prefillTokens, (*all)[2].promptTokens - 1); // only BOS is shared
    // Rows finish for their own reasons within one batch.
    QCOMPARE((*all)[0].stopReason, std::string("context"));
    QCOMPARE((*all)[0].decodeTokens, int64_t(5));
    QVERIFY((*all)[2].decodeTokens > (*all)[0].decodeTokens);
  }

  void cancelStopsIt() {
    PrefixCache cache(engine_->model(), true);
    PromptEvaluator evaluator(engine_->model(), *engine_->tokenizer(), cache, options_);
    const std::atomic<bool> cancel{true};
    QVERIFY(!evaluator.evaluate(jobs_, &cancel));
    QVERIFY(evaluator.evaluate({}, &cancel)->empty());
  }

private:
  std::unique_ptr<Engine> engine_;
  std::vector<PromptJob> jobs_;
  EvaluatorOptions options_;
};

QTEST_GUILESS_MAIN(TestPromptEvaluator)
#include "test_prompt_evaluator.moc"
