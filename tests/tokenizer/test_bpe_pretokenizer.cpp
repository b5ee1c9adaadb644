// PreTokenizer: the family regexes on hand-worked inputs (Qwen2 has no
// vocabulary file here, so its regex is checked by its splits alone), HF's
// split behaviours, and invalid UTF-8 (every byte stays in some piece).
#include "core/tokenizer/PreTokenizer.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

namespace {

QStringList pieces(const PreTokenizer& p, const std::string& text) {
  QStringList out;
  for (const auto& piece : p.split(text))
    out << QString::fromStdString(text.substr(piece.begin, piece.end - piece.begin));
  return out;
}

PreTokenizer family(const QString& name) {
  if (name == "gpt2") return PreTokenizer::gpt2();
  if (name == "llama3") return PreTokenizer::llama3();
  return PreTokenizer::qwen2();
}

} // namespace

class TestBpePreTokenizer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  // Expected pieces worked out by hand from the regexes (leftmost alternative
  // that matches, greedy with backtracking).
  void familyRegexes_data() {
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("qwen2 words") << "qwen2"
                                 << "Hello world" << QStringList{"Hello", " world"};
    QTest::newRow("qwen2 digits one by one")
        << "qwen2"
        << "333333333" << QStringList{"3", "3", "3", "3", "3", "3", "3", "3", "3"};
    QTest::newRow("llama3 digits by three") << "llama3"
                                            << "333333333" << QStringList{"333", "333", "333"};
    QTest::newRow("gpt2 digit run") << "gpt2"
                                    << "333333333" << QStringList{"333333333"};
    QTest::newRow("qwen2 contraction any case") << "qwen2"
                                                << "I'M here" << QStringList{"I", "'M", " here"};
    QTest::newRow("gpt2 contraction lower only") << "gpt2"
                                                 << "I'M here" << QStringList{"I", "'", "M", " here"};
    QTest::newRow("qwen2 spaces and newlines")
        << "qwen2"
        << "  Hello\n\n  x" << QStringList{" ", " Hello", "\n\n", " ", " x"};
    QTest::newRow("qwen2 cjk then digits") << "qwen2"
                                           << "日本語123" << QStringList{"日本語", "1", "2", "3"};
    QTest::newRow("qwen2 punctuation takes newlines")
        << "qwen2"
        << "hello!!!\n\nworld" << QStringList{"hello", "!!!\n\n", "world"};
    QTest::newRow("qwen2 letter after punctuation") << "qwen2"
                                                    << "(x) {y}" << QStringList{"(x", ")", " {", "y", "}"};
    QTest::newRow("qwen2 trailing spaces") << "qwen2"
                                           << "a   " << QStringList{"a", "   "};
    QTest::newRow("llama3 tab newline") << "llama3"
                                        << "\t\n"
                                        << QStringList{"\t\n"};
  }
  void familyRegexes() {
    QFETCH(QString, family);
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    QCOMPARE(pieces(::family(family), text.toStdString()), expected);
  }

  void splitBehaviours_data() {
    QTest::addColumn<int>("behavior");
    QTest::addColumn<QStringList>("expected");
    using B = PreTokenizer::SplitBehavior;
    QTest::newRow("isolated") << int(B::Isolated) << QStringList{"a", "-", "b", "-", "-", "c"};
    QTest::newRow("removed") << int(B::Removed) << QStringList{"a", "b", "c"};
    QTest::newRow("merged with previous") << int(B::MergedWithPrevious) << QStringList{"a-", "b-", "-", "c"};
    QTest::newRow("merged with next") << int(B::MergedWithNext) << QStringList{"a", "-b", "-", "-c"};
    QTest::newRow("contiguous") << int(B::Contiguous) << QStringList{"a", "-", "b", "--", "c"};
  }
  void splitBehaviours() {
    QFETCH(int, behavior);
    QFETCH(QStringList, expected);
    PreTokenizer literal;
    literal.addLiteralSplit("-", static_cast<PreTokenizer::SplitBehavior>(behavior));
    QCOMPARE(pieces(literal, "a-b--c"), expected);
    PreTokenizer regex;
    regex.addRegexSplit("-", static_cast<PreTokenizer::SplitBehavior>(behavior));
    QCOMPARE(pieces(regex, "a-b--c"), expected);
  }

  void invertAndDigits() {
    PreTokenizer words;
    words.addRegexSplit(R"(\w+)", PreTokenizer::SplitBehavior::Removed, true); // keep the matches
    QCOMPARE(pieces(words, "hi, you"), (QStringList{"hi", "you"}));
    PreTokenizer digits;
    digits.addDigits(true);
    QCOMPARE(pieces(digits, "ab12c"), (QStringList{"ab", "1", "2", "c"}));
    PreTokenizer runs;
    runs.addDigits(false);
    QCOMPARE(pieces(runs, "ab12c"), (QStringList{"ab", "12", "c"}));
    QVERIFY(PreTokenizer().split("").empty());
    QCOMPARE(pieces(PreTokenizer(), "abc"), QStringList{"abc"});
  }

  // Invalid UTF-8 never matches the regex; it lands in the gaps, so the
  // pieces still tile the whole input.
  void invalidUtf8Tiles_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("lone continuation") << QByteArray("ab\x80 cd");
    QTest::newRow("truncated") << QByteArray("x \xE6\x97");
    QTest::newRow("only invalid") << QByteArray("\xFF\xFE");
    QTest::newRow("overlong slash") << QByteArray("a\xC0\xAF b");
  }
  void invalidUtf8Tiles() {
    QFETCH(QByteArray, text);
    for (const char* name : {"gpt2", "llama3", "qwen2"}) {
      const std::string input = text.toStdString();
      size_t cursor = 0;
      for (const auto& piece : family(name).split(input)) {
        QCOMPARE(piece.begin, cursor);
        QVERIFY(piece.end > piece.begin);
        cursor = piece.end;
      }
      QCOMPARE(cursor, input.size());
    }
  }

  void badRegexIsNamed() {
    try {
      PreTokenizer::regex("(unclosed");
      QFAIL("a bad regex compiled");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).startsWith("pre-tokenizer regex '(unclosed': does not compile"), e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestBpePreTokenizer)
#include "test_bpe_pretokenizer.moc"
