// Hand-worked rows for lost-in-the-middle's best_subspan_em, SQuAD exact match and
// the KV substring score. Expected values follow upstream's Python (metrics.py,
// evaluate_*_responses.py); the Unicode rows were checked against Python 3.11.
#include "core/eval/AnswerNormalizer.h"
#include "core/eval/AnswerScorer.h"
#include "core/eval/UnicodeText.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

class TestAnswerScorer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void normalize_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::newRow("squad") << "The Eiffel Tower."
                           << "eiffel tower";
    QTest::newRow("articles are whole words") << "Anthem of a theatre"
                                              << "anthem of theatre";
    QTest::newRow("an") << "an apple An Orange"
                        << "apple orange";
    QTest::newRow("article after punctuation removal") << "the.the,a"
                                                       << "thethea";
    QTest::newRow("article split by punctuation") << "(a) b"
                                                  << "b";
    QTest::newRow("underscore is punctuation") << "the_end"
                                               << "theend";
    QTest::newRow("ascii punctuation") << "O'Neil & Sons, Inc.!"
                                       << "oneil sons inc";
    QTest::newRow("unicode punctuation stays") << QString::fromUtf8("1940\u20131942 \u00abhi\u00bb")
                                               << QString::fromUtf8("1940\u20131942 \u00abhi\u00bb");
    QTest::newRow("unicode lower") << QString::fromUtf8("Wilhelm Conrad R\u00d6NTGEN")
                                   << QString::fromUtf8("wilhelm conrad r\u00f6ntgen");
    QTest::newRow("dotted I") << QString::fromUtf8("\u0130stanbul") << QString::fromUtf8("i\u0307stanbul");
    QTest::newRow("final sigma") << QString::fromUtf8("\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3")
                                 << QString::fromUtf8("\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2");
    QTest::newRow("article glued to a letter")
        << QString::fromUtf8("\u00e9the the\u00e9 the") << QString::fromUtf8("\u00e9the the\u00e9");
    QTest::newRow("unicode whitespace") << QString::fromUtf8("a\u00a0b\u3000c\td\n") << "b c d";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("only articles") << "The a an"
                                   << "";
  }
  void normalize() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(AnswerNormalizer::normalize(input.toStdString())), expected);
  }

  void bestSubspanEm_data() {
    QTest::addColumn<QString>("prediction");
    QTest::addColumn<QStringList>("answers");
    QTest::addColumn<double>("expected");
    QTest::newRow("normalised equal") << "The Eiffel Tower." << QStringList{"eiffel tower"} << 1.0;
    QTest::newRow("substring") << "It is in Paris, France" << QStringList{"paris"} << 1.0;
    QTest::newRow("cut at first newline") << "Paris\nLondon" << QStringList{"london"} << 0.0;
    QTest::newRow("first line kept") << "  London \nParis" << QStringList{"london"} << 1.0;
    QTest::newRow("any answer") << "Roentgen" << QStringList{"Wilhelm", "roentgen"} << 1.0;
    QTest::newRow("no match") << "Einstein" << QStringList{"Bohr"} << 0.0;
    QTest::newRow("answer articles removed") << "Beatles" << QStringList{"The Beatles"} << 1.0;
    QTest::newRow("prediction longer answer") << "the" << QStringList{"the beatles"} << 0.0;
    QTest::newRow("punctuation inside") << "U.S.A" << QStringList{"USA"} << 1.0;
    QTest::newRow("unicode case") << QString::fromUtf8("R\u00d6NTGEN")
                                  << QStringList{QString::fromUtf8("r\u00f6ntgen")} << 1.0;
    QTest::newRow("unicode dash not removed")
        << QString::fromUtf8("1940\u20131942") << QStringList{"19401942"} << 0.0;
    QTest::newRow("substring ignores word boundaries") << "Parisian" << QStringList{"paris"} << 1.0;
    QTest::newRow("empty normalised answer matches") << "anything" << QStringList{"The"} << 1.0;
    QTest::newRow("carriage return does not cut") << "x\r y" << QStringList{"y"} << 1.0;
    QTest::newRow("no answers") << "x" << QStringList{} << 0.0;
  }
  void bestSubspanEm() {
    QFETCH(QString, prediction);
    QFETCH(QStringList, answers);
    QFETCH(double, expected);
    std::vector<std::string> golds;
    for (const auto& a : answers)
      golds.push_back(a.toStdString());
    QCOMPARE(AnswerScorer::bestSubspanEm(prediction.toStdString(), golds), expected);
  }

  void exactMatch() {
    QCOMPARE(AnswerScorer::exactMatch("The Eiffel Tower.", {"eiffel tower"}), 1.0);
    QCOMPARE(AnswerScorer::exactMatch("Eiffel Tower in Paris", {"eiffel tower"}), 0.0);
    QCOMPARE(AnswerScorer::exactMatch("an apple", {"pear", "Apple!"}), 1.0);
    QCOMPARE(AnswerScorer::exactMatch("Paris\nLondon", {"paris"}), 0.0); // not cut
  }

  void kvSubstring() {
    QCOMPARE(AnswerScorer::kvSubstring("The value is \"BB3BA2A5-x\".", "bb3ba2a5-x"), 1.0);
    QCOMPARE(AnswerScorer::kvSubstring("nothing\nbb3ba2a5", "bb3ba2a5"), 1.0); // not cut at newline
    QCOMPARE(AnswerScorer::kvSubstring("bb3ba2a", "bb3ba2a5"), 0.0);
  }

  void firstLine() {
    QCOMPARE(QString::fromStdString(std::string(AnswerScorer::firstLine("a\nb\nc"))), QString("a"));
    QCOMPARE(QString::fromStdString(std::string(AnswerScorer::firstLine("abc"))), QString("abc"));
  }

  void invalidUtf8IsReplaced() {
    const std::u32string cps = UnicodeText::decode("a\xff\xc3");
    QCOMPARE(cps.size(), size_t(3));
    QCOMPARE(static_cast<uint32_t>(cps[1]), 0xFFFDu);
    QCOMPARE(static_cast<uint32_t>(cps[2]), 0xFFFDu);
    QCOMPARE(UnicodeText::encode(UnicodeText::decode("\xf0\x9f\x98\x80 ok")),
             std::string("\xf0\x9f\x98\x80 ok"));
  }
};

QTEST_GUILESS_MAIN(TestAnswerScorer)
#include "test_answer_scorer.moc"
