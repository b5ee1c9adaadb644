// UnicodeNormalizer (utf8proc) and TextNormalizer's NFC/NFD/NFKC/NFKD steps:
// composed and decomposed inputs, canonical reordering, compatibility forms,
// Hangul jamo, characters that join the one before them, invalid bytes, and the
// input ranges the normalised bytes point back to.
#include "core/tokenizer/TextNormalizer.h"
#include "core/tokenizer/UnicodeNormalizer.h"

#include <QTest>

using namespace poslab;
using Form = UnicodeNormalizer::Form;

Q_DECLARE_METATYPE(poslab::UnicodeNormalizer::Form)

class TestUnicodeNormalizer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void forms_data() {
    QTest::addColumn<Form>("form");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    // Expected values from the Unicode standard's definitions (UAX #15); the
    // same as Python's unicodedata.normalize.
    QTest::newRow("NFC e+acute") << Form::NFC
                                 << QByteArray("caf"
                                               "e\xCC\x81")
                                 << QByteArray("caf\xC3\xA9");
    QTest::newRow("NFC composed stays")
        << Form::NFC << QByteArray("caf\xC3\xA9") << QByteArray("caf\xC3\xA9");
    QTest::newRow("NFD decomposes") << Form::NFD << QByteArray("caf\xC3\xA9")
                                    << QByteArray("caf"
                                                  "e\xCC\x81");
    QTest::newRow("NFD decomposed stays") << Form::NFD << QByteArray("e\xCC\x81") << QByteArray("e\xCC\x81");
    // Dot below (ccc 220) sorts before acute (ccc 230); NFC then composes both.
    QTest::newRow("NFD reorders marks")
        << Form::NFD << QByteArray("q\xCC\x81\xCC\xA3") << QByteArray("q\xCC\xA3\xCC\x81");
    QTest::newRow("NFC reorders and composes") << Form::NFC << QByteArray("a\xCC\x81\xCC\xA3")
                                               << QByteArray("\xE1\xBA\xA1\xCC\x81"); // U+1EA1 U+0301
    QTest::newRow("NFC ligature kept")
        << Form::NFC << QByteArray("\xEF\xAC\x81") << QByteArray("\xEF\xAC\x81");
    QTest::newRow("NFKC ligature fi") << Form::NFKC << QByteArray("\xEF\xAC\x81nd") << QByteArray("find");
    QTest::newRow("NFKC fullwidth") << Form::NFKC << QByteArray("\xEF\xBC\xA1\xEF\xBC\x91")
                                    << QByteArray("A1");
    QTest::newRow("NFKD superscript two") << Form::NFKD << QByteArray("x\xC2\xB2") << QByteArray("x2");
    QTest::newRow("NFKD e-acute") << Form::NFKD << QByteArray("\xC3\xA9") << QByteArray("e\xCC\x81");
    // Halfwidth ka + halfwidth voiced mark -> ガ: the mark joins the letter before it.
    QTest::newRow("NFKC halfwidth kana")
        << Form::NFKC << QByteArray("\xEF\xBD\xB6\xEF\xBE\x9E") << QByteArray("\xE3\x82\xAC");
    QTest::newRow("NFC hangul jamo") << Form::NFC << QByteArray("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8")
                                     << QByteArray("\xEA\xB0\x81"); // U+1100 U+1161 U+11A8 -> U+AC01
    QTest::newRow("NFD hangul syllable")
        << Form::NFD << QByteArray("\xEA\xB0\x81") << QByteArray("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8");
    // Oriya: U+0B47 + U+0B3E (a starter that is a composition's second half) -> U+0B4B.
    QTest::newRow("NFC starter second half")
        << Form::NFC << QByteArray("\xE0\xAD\x87\xE0\xAC\xBE") << QByteArray("\xE0\xAD\x8B");
    QTest::newRow("NFC Angstrom sign") << Form::NFC << QByteArray("\xE2\x84\xAB") << QByteArray("\xC3\x85");
    QTest::newRow("ASCII untouched") << Form::NFKC << QByteArray("Hello, world! 123")
                                     << QByteArray("Hello, world! 123");
    QTest::newRow("CJK untouched") << Form::NFC << QByteArray("\xE6\x97\xA5\xE6\x9C\xAC")
                                   << QByteArray("\xE6\x97\xA5\xE6\x9C\xAC");
    QTest::newRow("invalid bytes kept") << Form::NFC
                                        << QByteArray("e\xCC\x81\xFF"
                                                      "a\x80")
                                        << QByteArray("\xC3\xA9\xFF"
                                                      "a\x80");
    QTest::newRow("mark at start") << Form::NFC
                                   << QByteArray("\xCC\x81"
                                                 "e")
                                   << QByteArray("\xCC\x81"
                                                 "e");
  }
  void forms() {
    QFETCH(Form, form);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(UnicodeNormalizer::apply(form, input.toStdString())), expected);
  }

  // Output bytes point back into the input: a composed character covers all
  // the bytes it came from; untouched characters keep their own ranges.
  void originsPointIntoInput() {
    TextNormalizer n;
    n.addUnicode(Form::NFC);
    const std::string input = "xe\xCC\x81y"; // x, e + U+0301, y: bytes 0, 1..3, 4
    const NormalizedText out = n.apply(input, true);
    QCOMPARE(QByteArray::fromStdString(out.text), QByteArray("x\xC3\xA9y"));
    QCOMPARE(out.origin.size(), size_t(4));
    QCOMPARE(out.originOf(0, 1, 0), std::make_pair(size_t(0), size_t(1)));
    QCOMPARE(out.originOf(1, 3, 0), std::make_pair(size_t(1), size_t(4))); // é <- "e\u0301"
    QCOMPARE(out.originOf(3, 4, 0), std::make_pair(size_t(4), size_t(5)));
    QCOMPARE(out.originOf(0, 4, 10), std::make_pair(size_t(10), size_t(15)));
  }

  // Steps run in order: NFKD then a Replace sees the decomposed text.
  void stepsRunInOrder() {
    TextNormalizer n;
    n.addUnicode(Form::NFKD);
    n.addReplace("\xCC\x81", ""); // drop the acute the decomposition exposed
    QCOMPARE(QByteArray::fromStdString(n.apply("caf\xC3\xA9 \xEF\xAC\x81", true).text),
             QByteArray("cafe fi"));
  }
};

QTEST_GUILESS_MAIN(TestUnicodeNormalizer)
#include "test_unicode_normalizer.moc"
