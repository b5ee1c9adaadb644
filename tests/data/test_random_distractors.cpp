// Random distractors for the oracle file: seeded, per question, no repeats,
// never the question's own gold passage, no answer-bearing passages.
#include "core/data/DatasetLoader.h"
#include "core/data/RandomDistractors.h"
#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

#include <set>

using namespace poslab;

namespace {

RetrievalExample oracleExample(size_t index, const std::string& title, const std::string& answer) {
  RetrievalExample ex;
  ex.index = index;
  ex.question = std::string("q").append(std::to_string(index));
  ex.answers = {answer};
  ex.documents = {{title, std::string("passage about ").append(title), true}};
  return ex;
}

} // namespace

class TestRandomDistractors : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void realOracleFile() {
    const auto ds =
        DatasetLoader::load(test::sharedPath("data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz"));
    const RandomDistractors maker({.documents = 20, .seed = 7});
    const auto a = maker.apply(ds.examples);
    const auto b = RandomDistractors({.documents = 20, .seed = 7}).apply(ds.examples);
    const auto c = RandomDistractors({.documents = 20, .seed = 8}).apply(ds.examples);
    QCOMPARE(a.size(), ds.examples.size());
    size_t sameAsOtherSeed = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      const auto& ex = a[i];
      const auto& gold = ds.examples[i].documents[0];
      QCOMPARE(ex.documents.size(), size_t(20));
      QCOMPARE(ex.goldIndex(), std::optional<size_t>(0));
      QCOMPARE(ex.documents[0].text, gold.text);
      QCOMPARE(ex.metadata.at("distractors"), std::string("random"));
      std::set<std::string> texts;
      for (size_t d = 1; d < ex.documents.size(); ++d) {
        QVERIFY(!ex.documents[d].isGold);
        QVERIFY(ex.documents[d].text != gold.text || ex.documents[d].title != gold.title);
        texts.insert(ex.documents[d].title + "\n" + ex.documents[d].text);
      }
      QCOMPARE(texts.size(), size_t(19)); // no repeats
      for (size_t d = 0; d < 20; ++d)
        QCOMPARE(b[i].documents[d].text, ex.documents[d].text);
      bool same = true;
      for (size_t d = 0; d < 20; ++d)
        same &= c[i].documents[d].text == ex.documents[d].text;
      sameAsOtherSeed += same ? 1 : 0;
    }
    QCOMPARE(sameAsOtherSeed, size_t(0));
    // Ten questions hold only ten passages: 20 documents need 19 others.
    const std::vector<RetrievalExample> head(ds.examples.begin(), ds.examples.begin() + 10);
    QVERIFY_THROWS_EXCEPTION(Error, maker.apply(head));
  }
  void excludesOwnGoldCopiesAndAnswers() {
    std::vector<RetrievalExample> oracle;
    for (size_t i = 0; i < 6; ++i)
      oracle.push_back(oracleExample(i, std::string("T").append(std::to_string(i)), "zzz"));
    oracle.push_back(oracleExample(6, "T0", "zzz")); // same gold passage as question 0
    oracle.push_back(oracleExample(7, "T7", "T3"));  // passage T3 contains this answer
    const auto out = RandomDistractors({.documents = 6, .seed = 1}).apply(oracle);
    for (size_t i = 0; i < out.size(); ++i) {
      QCOMPARE(out[i].documents.size(), size_t(6));
      for (size_t d = 1; d < 6; ++d)
        QVERIFY(out[i].documents[d].title != oracle[i].documents[0].title);
    }
    for (size_t d = 1; d < 6; ++d)
      QVERIFY(out[7].documents[d].title != "T3");
    // 7 distinct passages: 6 documents for question 7 would need T3.
    QVERIFY_THROWS_EXCEPTION(Error, RandomDistractors({.documents = 7, .seed = 1}).apply(oracle));
    const auto noFilter =
        RandomDistractors({.documents = 7, .seed = 1, .skipAnswerBearing = false}).apply(oracle);
    QCOMPARE(noFilter[7].documents.size(), size_t(7));
  }
};

QTEST_GUILESS_MAIN(TestRandomDistractors)
#include "test_random_distractors.moc"
