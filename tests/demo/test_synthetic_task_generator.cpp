// SyntheticTaskGenerator: the demo's task files are PosLab JSONL that the
// DatasetLoader reads, one gold per example, reproducible byte for byte from the
// seed, and the held-out gold facts never occur as training gold facts.
#include "core/data/DatasetLoader.h"
#include "core/demo/SyntheticTaskGenerator.h"
#include "core/util/Error.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

using namespace poslab;
using namespace poslab::test;

namespace {

DemoRecipe small(uint64_t seed) {
  DemoRecipe r;
  r.seed = seed;
  r.trainExamples = 300;
  r.heldoutExamples = 60;
  return r;
}

} // namespace

class TestSyntheticTaskGenerator : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void loadsAsPoslabJsonl() {
    const DemoRecipe r = small(7);
    SyntheticTaskGenerator gen(r);
    const auto train = gen.trainSet();
    const std::string path = tempDir("gen-load") + "/train.jsonl.gz";
    SyntheticTaskGenerator::writeJsonlGz(path, train);
    const LoadedDataset loaded = DatasetLoader::load(path);
    QCOMPARE(loaded.format, DataFormat::PosLab);
    QCOMPARE(loaded.examples.size(), r.trainExamples);
    for (const auto& ex : loaded.examples) {
      QCOMPARE(ex.kind, TaskKind::Qa);
      QCOMPARE(ex.documents.size(), r.documents);
      size_t golds = 0;
      std::set<std::string> names, codes;
      for (const auto& d : ex.documents) {
        golds += d.isGold ? 1 : 0;
        names.insert(d.title);
        // "<name> <code>": the name again, a space, two digits.
        QCOMPARE(d.text.substr(0, d.title.size() + 1), d.title + " ");
        const std::string code = d.text.substr(d.title.size() + 1);
        codes.insert(code);
        QVERIFY(code.size() == 2 && std::isdigit(static_cast<unsigned char>(code[0])) &&
                std::isdigit(static_cast<unsigned char>(code[1])));
      }
      QCOMPARE(golds, size_t{1});
      QCOMPARE(names.size(), r.documents); // distinct within an example
      QCOMPARE(codes.size(), r.documents);
      const Document& gold = ex.documents[*ex.goldIndex()];
      QCOMPARE(ex.answers, std::vector<std::string>{gold.text.substr(gold.title.size() + 1)});
      QCOMPARE(ex.question, gold.title);
    }
  }

  void sameSeedSameBytes() {
    const std::string dir = tempDir("gen-bytes");
    for (const char* name : {"a.jsonl.gz", "b.jsonl.gz"}) {
      SyntheticTaskGenerator gen(small(11));
      SyntheticTaskGenerator::writeJsonlGz(dir + "/" + name, gen.heldoutSet(gen.trainSet()));
    }
    QCOMPARE(fileBytes(dir + "/a.jsonl.gz"), fileBytes(dir + "/b.jsonl.gz"));
    SyntheticTaskGenerator other(small(12));
    SyntheticTaskGenerator::writeJsonlGz(dir + "/c.jsonl.gz", other.heldoutSet(other.trainSet()));
    QVERIFY(fileBytes(dir + "/a.jsonl.gz") != fileBytes(dir + "/c.jsonl.gz"));
  }

  void heldoutGoldFactsAreUnseen() {
    SyntheticTaskGenerator gen(small(3));
    const auto train = gen.trainSet();
    const auto heldout = gen.heldoutSet(train);
    QCOMPARE(heldout.size(), size_t{60});
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& ex : train)
      seen.insert({ex.documents[*ex.goldIndex()].title, ex.documents[*ex.goldIndex()].text});
    for (const auto& ex : heldout)
      QVERIFY(!seen.count({ex.documents[*ex.goldIndex()].title, ex.documents[*ex.goldIndex()].text}));
  }

  void namesComeFromTheInventory() {
    const DemoRecipe r = small(5);
    SyntheticTaskGenerator gen(r);
    QCOMPARE(gen.names().size(), r.nameInventory);
    const std::set<std::string> inventory(gen.names().begin(), gen.names().end());
    QCOMPARE(inventory.size(), r.nameInventory);
    for (const auto& ex : gen.trainSet())
      for (const auto& d : ex.documents)
        QVERIFY(inventory.count(d.title));
  }

  void rejectsABadRecipe() {
    DemoRecipe r = small(1);
    r.nameInventory = 5; // fewer names than documents
    QVERIFY_THROWS_EXCEPTION(Error, SyntheticTaskGenerator{r});
  }
};

QTEST_GUILESS_MAIN(TestSyntheticTaskGenerator)
#include "test_synthetic_task_generator.moc"
