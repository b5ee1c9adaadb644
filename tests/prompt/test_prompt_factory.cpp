// PromptFactory: the same text and ids as rendering and tokenising by hand, the
// gold's token span really holds the gold, chat prompts equal the chat
// template's own encoding, and answer ids continue the prompt's ids.
#include "core/prompt/PromptFactory.h"
#include "core/tokenizer/BpeTokenizer.h"
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>

using namespace poslab;
using namespace poslab::test;

namespace {

RetrievalExample qaExample() {
  RetrievalExample ex;
  ex.index = 3;
  ex.question = "who wrote the opera carmen";
  ex.answers = {"Georges Bizet"};
  for (int i = 0; i < 5; ++i)
    ex.documents.push_back(
        {"Title " + std::to_string(i), "Distractor text number " + std::to_string(i) + ".", false});
  ex.documents[1] = {"Carmen", "Carmen is an opera in four acts by the French composer Georges Bizet.", true};
  return ex;
}

std::string decodeRange(const Tokenizer& tok, const std::vector<int32_t>& ids, TokenRange r) {
  return tok.decode({ids.begin() + static_cast<std::ptrdiff_t>(r.first),
                     ids.begin() + static_cast<std::ptrdiff_t>(r.last)});
}

} // namespace

class TestPromptFactory : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() {
    gguf_ = std::make_unique<GgufFile>(sharedPath("data/tokenizer-vectors/ggml-vocab-llama-spm.gguf"));
    spm_ = GgufSpmTokenizer::fromGguf(*gguf_);
    bpe_ = BpeTokenizer::fromTokenizerJson(fixturePath("llama3-tokenizer/tokenizer.json"));
  }

  void plainPromptEqualsHandRendering() {
    const RetrievalExample ex = qaExample();
    PromptFactory factory(*spm_, std::nullopt, {});
    QCOMPARE(factory.positionCount(ex), size_t(5));
    for (size_t pos = 0; pos < 5; ++pos) {
      const PromptInstance p = factory.atPosition(ex, pos);
      const RetrievalExample placed = GoldPlacement().place(ex, pos);
      const BuiltPrompt built = PromptBuilder(PromptTemplate::builtIn(PromptStyle::Qa)).build(placed);
      QCOMPARE(p.built.text, built.text);
      const Encoding enc = spm_->encode(built.text, {.addBos = true});
      QCOMPARE(p.encoding.ids, enc.ids);
      QCOMPARE(p.encoding.ids.front(), spm_->specialTokens().bos);
      QCOMPARE(*p.example.goldIndex(), pos);
      QCOMPARE(p.spans.documents.size(), size_t(5));
      const std::string gold = decodeRange(*spm_, p.encoding.ids, p.spans.documents[pos]);
      QVERIFY2(gold.find("Georges Bizet") != std::string::npos, gold.c_str());
      QVERIFY2(gold.find("Document [" + std::to_string(pos + 1) + "]") != std::string::npos, gold.c_str());
    }
  }

  void docsKeepsTheGold() {
    PromptSettings s;
    s.placement.docs = 3;
    PromptFactory factory(*spm_, std::nullopt, s);
    const RetrievalExample ex = qaExample();
    QCOMPARE(factory.positionCount(ex), size_t(3));
    const PromptInstance p = factory.atPosition(ex, 2);
    QCOMPARE(p.example.documents.size(), size_t(3));
    QVERIFY(p.example.documents[2].isGold);
  }

  void baselines() {
    PromptFactory factory(*spm_, std::nullopt, {});
    const RetrievalExample ex = qaExample();
    const PromptInstance closed = factory.closedBook(ex);
    QVERIFY(!closed.position);
    QVERIFY(closed.built.documents.empty());
    QCOMPARE(closed.built.text, std::string("Question: who wrote the opera carmen\nAnswer:"));
    const PromptInstance oracle = factory.oracle(ex);
    QCOMPARE(oracle.example.documents.size(), size_t(1));
    QVERIFY(oracle.example.documents[0].isGold);
    RetrievalExample kv;
    kv.kind = TaskKind::Kv;
    kv.pairs = {{"a", "b"}};
    kv.key = "a";
    kv.value = "b";
    QVERIFY_THROWS_EXCEPTION(Error, factory.closedBook(kv));
    QVERIFY_THROWS_EXCEPTION(Error, factory.oracle(kv));
  }

  // The ids scored by teacher forcing are the tail of encoding prompt + " " + answer.
  void answerIdsContinueThePrompt() {
    for (const Tokenizer* tok :
         {static_cast<const Tokenizer*>(spm_.get()), static_cast<const Tokenizer*>(bpe_.get())}) {
      PromptFactory factory(*tok, std::nullopt, {});
      const PromptInstance p = factory.atPosition(qaExample(), 2);
      const std::vector<int32_t> answer = factory.answerIds(p, "Georges Bizet");
      QVERIFY(!answer.empty());
      std::vector<int32_t> joined = p.encoding.ids;
      joined.insert(joined.end(), answer.begin(), answer.end());
      const SpecialTokens& sp = tok->specialTokens();
      QCOMPARE(joined,
               tok->encode(p.built.text + " Georges Bizet", {.addBos = sp.addBos && sp.bos >= 0}).ids);
      QCOMPARE(tok->decode(answer), std::string(tok == spm_.get() ? "Georges Bizet" : " Georges Bizet"));
    }
  }

  // Inside a chat template: the ids are the template's own encoding of the user
  // message, and the spans still find the documents.
  void chatPromptMatchesTemplateEncoding() {
    PromptSettings s;
    s.system = "You are a careful assistant.";
    const ChatTemplate chat = ChatTemplate::fromName("llama3");
    PromptFactory factory(*bpe_, chat, s);
    QVERIFY(factory.usesChat());
    const PromptInstance p = factory.atPosition(qaExample(), 4);
    const std::string user = p.built.text.substr(p.built.user.begin, p.built.user.size());
    const std::vector<ChatMessage> messages = {{"system", s.system}, {"user", user}};
    QCOMPARE(p.built.text, chat.render(messages, true));
    QCOMPARE(p.encoding.ids, chat.encode(*bpe_, messages, true).ids);
    const std::string gold = decodeRange(*bpe_, p.encoding.ids, p.spans.documents[4]);
    QVERIFY2(gold.find("Georges Bizet") != std::string::npos, gold.c_str());
    QCOMPARE(decodeRange(*bpe_, p.encoding.ids, p.spans.question),
             std::string(" who wrote the opera carmen"));
    // The family "none" is the plain prompt.
    PromptFactory plain(*bpe_, ChatTemplate::fromName("none"), {});
    QVERIFY(!plain.usesChat());
  }

private:
  std::unique_ptr<GgufFile> gguf_;
  std::unique_ptr<Tokenizer> spm_;
  std::unique_ptr<Tokenizer> bpe_;
};

QTEST_GUILESS_MAIN(TestPromptFactory)
#include "test_prompt_factory.moc"
