// Byte spans to token ranges through per-token byte offsets.
#include "core/prompt/PromptBuilder.h"
#include "core/prompt/TokenSpans.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

namespace {

// A toy tokenizer: BOS (no bytes), then one token per run of non-space bytes with
// the space before it attached (SentencePiece-like "▁word"), "\n" on its own.
Encoding encode(const std::string& text) {
  Encoding e;
  e.ids.push_back(1);
  e.offsets.push_back({0, 0});
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    if (text[i] == '\n') {
      j = i + 1;
    } else {
      while (j < text.size() && text[j] == ' ')
        ++j;
      while (j < text.size() && text[j] != ' ' && text[j] != '\n')
        ++j;
    }
    e.ids.push_back(static_cast<int32_t>(e.ids.size()));
    e.offsets.push_back({i, j});
    i = j;
  }
  return e;
}

} // namespace

class TestTokenSpans : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void locate_data() {
    QTest::addColumn<qulonglong>("begin");
    QTest::addColumn<qulonglong>("end");
    QTest::addColumn<qulonglong>("first");
    QTest::addColumn<qulonglong>("last");
    // "ab cd\nef": tokens BOS[0,0) "ab"[0,2) " cd"[2,5) "\n"[5,6) "ef"[6,8)
    QTest::newRow("first word") << 0ull << 2ull << 1ull << 2ull;
    QTest::newRow("inside a token") << 3ull << 4ull << 2ull << 3ull;
    QTest::newRow("straddles") << 1ull << 3ull << 1ull << 3ull;
    QTest::newRow("line") << 0ull << 5ull << 1ull << 3ull;
    QTest::newRow("empty at end") << 8ull << 8ull << 5ull << 5ull;
    QTest::newRow("empty inside") << 3ull << 3ull << 2ull << 2ull;
    QTest::newRow("all") << 0ull << 8ull << 1ull << 5ull;
  }
  void locate() {
    QFETCH(qulonglong, begin);
    QFETCH(qulonglong, end);
    QFETCH(qulonglong, first);
    QFETCH(qulonglong, last);
    const auto r = TokenSpans::locate(encode("ab cd\nef"), {begin, end});
    QCOMPARE(r, (TokenRange{first, last}));
  }
  void promptSpans() {
    RetrievalExample ex;
    ex.question = std::string("who?");
    ex.answers = {"x"};
    ex.documents = {{"A", "alpha text", false}, {"B", "beta", true}};
    const BuiltPrompt p =
        PromptBuilder(PromptTemplate::builtIn(PromptStyle::Qa)).build(ex, {"<u> ", " </u>"});
    const Encoding enc = encode(p.text);
    const TokenSpans s = TokenSpans::of(enc, p);
    QCOMPARE(s.documents.size(), size_t(2));
    // Every document's tokens cover exactly its line's bytes (whitespace-split toy tokens).
    for (size_t d = 0; d < 2; ++d) {
      const auto& r = s.documents[d];
      QVERIFY(r.size() > 0);
      QCOMPARE(enc.offsets[r.first].begin, p.documents[d].begin);
      QCOMPARE(enc.offsets[r.last - 1].end, p.documents[d].end);
    }
    QVERIFY(s.documents[0].last <= s.documents[1].first);
    QCOMPARE(enc.offsets[s.question.first].begin + 1, p.question.begin); // " who?" carries its space
    QCOMPARE(s.answer.size(), size_t(1));
    QCOMPARE(s.user.last + 1, enc.ids.size()); // only " </u>" follows the user prompt
  }
};

QTEST_GUILESS_MAIN(TestTokenSpans)
#include "test_token_spans.moc"
