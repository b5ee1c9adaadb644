// Built-in prompts are byte-identical to upstream's .prompt files filled the way
// prompting.py fills them; spans point at exactly the documents, question and cue.
#include "core/data/DatasetLoader.h"
#include "core/data/GoldPlacement.h"
#include "core/prompt/PromptBuilder.h"
#include "core/prompt/TokenSpans.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <fstream>
#include <map>
#include <sstream>

using namespace poslab;

namespace {

const std::string kPrompts = "data/lost-in-the-middle/src/lost_in_the_middle/prompts/";

// Upstream: open(...).read().rstrip("\n").format(**fields)  (no braces are escaped in the files).
std::string upstreamPrompt(PromptStyle style, const std::map<std::string, std::string>& fields) {
  std::ifstream in(test::sharedPath(kPrompts + PromptTemplate::fileName(style)), std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && t.back() == '\n')
    t.pop_back();
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{') {
      const size_t close = t.find('}', i);
      out += fields.at(t.substr(i + 1, close - i - 1));
      i = close;
    } else {
      out += t[i];
    }
  }
  return out;
}

// Upstream's loop in get_qa_prompt / get_kv_retrieval_prompt, written out independently.
std::string searchResults(const RetrievalExample& ex) {
  std::string s;
  for (size_t i = 0; i < ex.documents.size(); ++i) {
    if (i) s += "\n";
    s += "Document [" + std::to_string(i + 1) + "](Title: " + ex.documents[i].title + ") " +
         ex.documents[i].text;
  }
  return s;
}
std::string kvRecords(const RetrievalExample& ex) {
  std::string s;
  for (size_t i = 0; i < ex.pairs.size(); ++i) {
    s += i == 0 ? "{" : " ";
    s += "\"" + ex.pairs[i].key + "\": \"" + ex.pairs[i].value + "\"";
    s += i + 1 != ex.pairs.size() ? ",\n" : "}";
  }
  return s;
}

RetrievalExample qaExample() {
  RetrievalExample ex;
  ex.question = std::string("who wrote it?");
  ex.answers = {"me"};
  ex.documents = {{"T1", "first text", false}, {"T{2}", "gold text", true}, {"T3", "third\ttext", false}};
  return ex;
}

} // namespace

class TestPromptBuilder : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void qaStylesMatchUpstreamFiles_data() {
    QTest::addColumn<int>("style");
    QTest::newRow("qa") << int(PromptStyle::Qa);
    QTest::newRow("query aware") << int(PromptStyle::QaQueryAware);
    QTest::newRow("ordered randomly") << int(PromptStyle::QaOrderedRandomly);
    QTest::newRow("closed book") << int(PromptStyle::ClosedBook);
  }
  void qaStylesMatchUpstreamFiles() {
    QFETCH(int, style);
    const auto s = static_cast<PromptStyle>(style);
    const auto ds = DatasetLoader::load(
        test::sharedPath("data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz"), {.limit = 40});
    // Real passages as distractors: each example with the next 9 questions' golds.
    for (size_t e = 0; e + 10 <= ds.examples.size(); e += 10) {
      RetrievalExample ex = ds.examples[e];
      for (size_t d = 1; d < 10; ++d)
        ex.documents.push_back(
            {ds.examples[e + d].documents[0].title, ds.examples[e + d].documents[0].text, false});
      const auto placed = GoldPlacement().place(ex, 4);
      const BuiltPrompt p = PromptBuilder(PromptTemplate::builtIn(s)).build(placed);
      QCOMPARE(p.text,
               upstreamPrompt(s, {{"question", ex.question}, {"search_results", searchResults(placed)}}));
      if (s == PromptStyle::ClosedBook) {
        QVERIFY(p.documents.empty());
        continue;
      }
      QCOMPARE(p.documents.size(), size_t(10));
      for (size_t d = 0; d < 10; ++d)
        QCOMPARE(std::string(p.at(p.documents[d])),
                 PromptBuilder::formatDocument(placed.documents[d], d)); // the document's whole line
      QCOMPARE(std::string(p.at(p.documents[4])).find("Document [5](Title: " + ex.documents[0].title + ") "),
               size_t(0));
    }
  }
  // Pos2Distill's QA prompt (AMAP-ML/Pos2Distill utils.py get_template_prompt),
  // written out by hand for a three-document example.
  void pos2distillPromptIsExact() {
    const BuiltPrompt p = PromptBuilder(PromptTemplate::builtIn(PromptStyle::Pos2Distill)).build(qaExample());
    QCOMPARE(p.text, std::string("Please write a high-quantify answer for the given question using only the "
                                 "provided search documents (some of which might be irrelevant).\n"
                                 "- Title: T1\nfirst text\n"
                                 "- Title: T{2}\ngold text\n"
                                 "- Title: T3\nthird\ttext\n"
                                 "\nQuestion: who wrote it?\n"));
    QCOMPARE(p.documents.size(), size_t(3));
    QCOMPARE(std::string(p.at(p.documents[1])), std::string("- Title: T{2}\ngold text"));
    QCOMPARE(std::string(p.at(p.question)), std::string("who wrote it?"));
    QCOMPARE(p.answer.begin, p.text.size()); // the prompt ends on a newline: no cue
    QCOMPARE(p.answer.size(), size_t(0));
    QCOMPARE(PromptTemplate::builtIn(PromptStyle::Pos2Distill).name(), std::string("pos2distill"));
  }

  // R2's chain-of-thought prompt: Pos2Distill's layout with the CoT instruction.
  void cotPromptIsExact() {
    const BuiltPrompt p =
        PromptBuilder(PromptTemplate::builtIn(PromptStyle::Pos2DistillCot)).build(qaExample());
    QCOMPARE(p.text,
             std::string("Answer the question using the provided search documents (some of which might "
                         "be irrelevant). First identify the information relevant to the question and "
                         "list it, then reason step by step, and end your response with \"The answer "
                         "is: \" followed by the answer.\n"
                         "- Title: T1\nfirst text\n"
                         "- Title: T{2}\ngold text\n"
                         "- Title: T3\nthird\ttext\n"
                         "\nQuestion: who wrote it?\n"));
    QCOMPARE(p.documents.size(), size_t(3));
    QCOMPARE(PromptTemplate::styleNamed("pos2distill-cot"), std::optional(PromptStyle::Pos2DistillCot));
  }

  // One list of built-in names for the CLI, the GUI and the task defaults.
  void namesResolve() {
    const std::vector<std::string> names = PromptTemplate::names();
    QCOMPARE(names.size(), size_t(8));
    for (const std::string& name : names) {
      const auto style = PromptTemplate::styleNamed(name);
      QVERIFY2(style, name.c_str());
      QCOMPARE(std::string(PromptTemplate::styleName(*style)), name);
    }
    QCOMPARE(PromptTemplate::styleNamed("qa-query-aware"), std::optional(PromptStyle::QaQueryAware));
    QCOMPARE(PromptTemplate::styleNamed("kv_retrieval.prompt"), std::optional(PromptStyle::Kv));
    QCOMPARE(PromptTemplate::styleNamed("pos2distill"), std::optional(PromptStyle::Pos2Distill));
    QVERIFY(!PromptTemplate::styleNamed("my_template.prompt"));
    QVERIFY(!PromptTemplate::styleNamed(""));
  }

  void kvStylesMatchUpstreamFiles() {
    const auto ds = DatasetLoader::load(
        test::sharedPath("data/lost-in-the-middle/kv_retrieval_data/kv-retrieval-140_keys.jsonl.gz"),
        {.limit = 3});
    for (auto style : {PromptStyle::Kv, PromptStyle::KvQueryAware}) {
      for (const auto& ex : ds.examples) {
        const auto placed = GoldPlacement().place(ex, 69);
        const BuiltPrompt p = PromptBuilder(PromptTemplate::builtIn(style)).build(placed);
        QCOMPARE(p.text,
                 upstreamPrompt(style, {{"key", ex.key}, {"formatted_kv_records", kvRecords(placed)}}));
        QCOMPARE(p.documents.size(), size_t(140));
        QCOMPARE(std::string(p.at(p.documents[69])), "\"" + ex.key + "\": \"" + ex.value + "\"");
        QCOMPARE(p.questions.size(), size_t(style == PromptStyle::Kv ? 1 : 2));
        for (const auto& q : p.questions)
          QCOMPARE(std::string(p.at(q)), ex.key);
        QCOMPARE(std::string(p.at(p.answer)), std::string("Corresponding value:"));
      }
    }
    QCOMPARE(PromptBuilder::formatKvRecords({{"a", "1"}, {"b", "2"}}),
             std::string("{\"a\": \"1\",\n \"b\": \"2\"}"));
  }
  void spansAndChatWrap() {
    const auto ex = qaExample();
    const ChatWrap chat{"<s>[INST] ", " [/INST]"};
    const BuiltPrompt p = PromptBuilder(PromptTemplate::builtIn(PromptStyle::QaQueryAware)).build(ex, chat);
    QVERIFY(p.text.starts_with(chat.prefix));
    QVERIFY(p.text.ends_with("Answer: [/INST]"));
    QCOMPARE(p.user, (ByteSpan{chat.prefix.size(), p.text.size() - chat.suffix.size()}));
    QCOMPARE(std::string(p.at(p.documents[1])), std::string("Document [2](Title: T{2}) gold text"));
    QCOMPARE(p.questions.size(), size_t(2));
    QVERIFY(p.questions[0].end < p.documents[0].begin);
    QCOMPARE(p.question, p.questions[1]);
    QVERIFY(p.question.begin > p.documents[2].end);
    QCOMPARE(std::string(p.at(p.question)), ex.question);
    QCOMPARE(std::string(p.at(p.answer)), std::string("Answer:"));
  }
  void userTemplateFile() {
    const auto dir = test::tempDir("user-template");
    const std::string path = dir + "/mine.prompt";
    std::ofstream(path, std::ios::binary) << "Context:\n{search_results}\n{{literal}}\nQ: {question}\nA:\n\n";
    const BuiltPrompt p = PromptBuilder(PromptTemplate::fromFile(path)).build(qaExample());
    QCOMPARE(p.text, "Context:\n" + searchResults(qaExample()) + "\n{literal}\nQ: who wrote it?\nA:");
    QCOMPARE(std::string(p.at(p.answer)), std::string("A:"));

    auto errorOf = [](const std::string& text) {
      try {
        PromptTemplate::parse(text, "bad.prompt");
      } catch (const Error& e) {
        return std::string(e.what());
      }
      return std::string("(no error)");
    };
    QCOMPARE(errorOf("{documents}"),
             std::string("bad.prompt: placeholder '{documents}': unknown (expected "
                         "{search_results}, {question}, {formatted_kv_records} or {key})"));
    QVERIFY(errorOf("a } b").starts_with("bad.prompt: byte 2: single '}'"));
    QVERIFY(errorOf("a { b").starts_with("bad.prompt: byte 2: '{' without"));
  }
  void templateMismatchIsAnError() {
    RetrievalExample kv;
    kv.kind = TaskKind::Kv;
    kv.pairs = {{"a", "1"}};
    kv.key = std::string("a");
    kv.value = std::string("1");
    QVERIFY_THROWS_EXCEPTION(Error, PromptBuilder(PromptTemplate::builtIn(PromptStyle::Qa)).build(kv));
    QVERIFY_THROWS_EXCEPTION(Error,
                             PromptBuilder(PromptTemplate::builtIn(PromptStyle::Kv)).build(qaExample()));
  }
};

QTEST_GUILESS_MAIN(TestPromptBuilder)
#include "test_prompt_builder.moc"
