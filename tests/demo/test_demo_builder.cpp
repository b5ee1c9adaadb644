// DemoBuilder end to end on a tiny budget (the demo and the two-hop demo): the
// folder it writes is a Hugging Face model PosLab loads, with its task and
// template recorded, the same seed
// gives byte-identical weights, and a build stopped in either training stage
// and run again on its folder ends with the uninterrupted build's weights.
#include "core/data/DatasetLoader.h"
#include "core/demo/DemoBuilder.h"
#include "core/demo/DemoCurriculum.h"
#include "core/model/ModelConfig.h"
#include "core/prompt/PromptTemplate.h"
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/util/JsonFile.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>

using namespace poslab;
using namespace poslab::test;

namespace {

DemoRecipe tiny(uint64_t seed) {
  DemoRecipe r;
  r.seed = seed;
  r.trainExamples = 200;
  r.heldoutExamples = 20;
  r.tokenizerSentences = 100;
  r.inductionSteps = 3;
  r.inductionBatch = 4;
  r.shortSteps = 2;
  r.longSteps = 2;
  r.retrievalBatch = 4;
  return r;
}

} // namespace

class TestDemoBuilder : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void writesALoadableFolder() {
    const std::string dir = tempDir("demo-a");
    std::vector<std::string> log;
    const DemoBuildResult res = DemoBuilder(tiny(1)).build(
        dir, [&](const std::string& l) { log.push_back(l); }, 5);
    QVERIFY(!log.empty());
    const std::string m = dir + "/poslab-demo-llama/";
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json",
                          "generation_config.json", "poslab_task.json", "prompt.txt", "README.md"})
      QVERIFY2(std::filesystem::exists(m + f), f);
    const ModelConfig c = ModelConfig::fromHuggingFaceJson(m + "config.json");
    QCOMPARE(c.architecture, std::string("LlamaForCausalLM"));
    QCOMPARE(c.numLayers, DemoRecipe{}.layers);
    const auto task = JsonFile::readObject(m + "poslab_task.json");
    QCOMPARE(task.at("task").get<std::string>(), std::string("qa"));
    QCOMPARE(task.at("prompt_template").get<std::string>(), std::string("prompt.txt"));
    QCOMPARE(task.at("docs").get<size_t>(), DemoRecipe{}.documents);
    QCOMPARE(task.at("chat_template").get<std::string>(), std::string("none"));
    QVERIFY(PromptTemplate::fromFile(m + "prompt.txt").uses("search_results"));
    QCOMPARE(DatasetLoader::load(dir + "/train.jsonl.gz").examples.size(), size_t{200});
    QCOMPARE(DatasetLoader::load(dir + "/heldout.jsonl.gz").examples.size(), size_t{20});
    QCOMPARE(res.probeAccuracy.size(), DemoRecipe{}.documents);
    QCOMPARE(res.probeExamples, size_t{5});
  }

  // make-demo --task two-hop: the folder records its task, the tokenizer writes
  // the chain of thought R2's metric reads with no unknown piece, the probe has
  // a place per adjacent hop pair, and the same seed gives the same weights.
  void twoHopWritesItsTaskAndCue() {
    DemoRecipe r = tiny(6);
    r.task = TaskKind::TwoHop;
    const std::string a = tempDir("demo-two-hop-a"), b = tempDir("demo-two-hop-b");
    const DemoBuildResult res = DemoBuilder(r).build(a, {}, 5);
    DemoBuilder(r).build(b, {}, 0);
    const std::string m = a + "/poslab-demo-two-hop/";
    const auto task = JsonFile::readObject(m + "poslab_task.json");
    QCOMPARE(task.at("task").get<std::string>(), std::string("two-hop"));
    QVERIFY(task.at("max_new_tokens").get<int>() >= 20);
    QCOMPARE(res.probeAccuracy.size(), DemoRecipe{}.documents - 1);
    const auto heldout = DatasetLoader::load(a + "/heldout.jsonl.gz").examples;
    QCOMPARE(heldout.size(), size_t{20});
    QVERIFY(heldout.front().kind == TaskKind::TwoHop);
    const std::string response = DemoCurriculum::response(heldout.front());
    QVERIFY2(response.find(". The answer is: " + heldout.front().answers.front()) != std::string::npos,
             response.c_str());
    const auto tokenizer = SentencePieceTokenizer::fromFile(m + "tokenizer.model");
    const auto ids = tokenizer->encode(response, {false, false}).ids;
    QVERIFY(std::find(ids.begin(), ids.end(), 0) == ids.end()); // no <unk>
    QCOMPARE(tokenizer->decode(ids), response);
    QVERIFY(fileBytes(m + "model.safetensors") == fileBytes(b + "/poslab-demo-two-hop/model.safetensors"));
  }

  void sameSeedSameWeights() {
    const std::string a = tempDir("demo-same-a"), b = tempDir("demo-same-b"), c = tempDir("demo-same-c");
    DemoBuilder(tiny(3)).build(a, {}, 0);
    DemoBuilder(tiny(3)).build(b, {}, 0);
    DemoBuilder(tiny(4)).build(c, {}, 0);
    for (const char* f : {"/poslab-demo-llama/model.safetensors", "/poslab-demo-llama/tokenizer.model",
                          "/train.jsonl.gz", "/heldout.jsonl.gz"})
      QVERIFY2(fileBytes(a + f) == fileBytes(b + f), f);
    QVERIFY(fileBytes(a + "/poslab-demo-llama/model.safetensors") !=
            fileBytes(c + "/poslab-demo-llama/model.safetensors"));
  }

  void stoppedBuildResumesToTheSameWeights_data() {
    QTest::addColumn<QString>("stopAfter");
    QTest::newRow("stage 1") << "1-induction: step 2/";
    QTest::newRow("stage 2") << "2-retrieval: step 1/";
  }
  void stoppedBuildResumesToTheSameWeights() {
    QFETCH(QString, stopAfter);
    const std::string whole = tempDir("demo-whole"), stopped = tempDir("demo-stopped");
    DemoBuilder(tiny(5)).build(whole, {}, 0);
    std::atomic<bool> cancel{false};
    const DemoBuildResult first = DemoBuilder(tiny(5)).build(
        stopped,
        [&](const std::string& line) {
          if (line.rfind(stopAfter.toStdString(), 0) == 0) cancel = true;
        },
        0, &cancel);
    QVERIFY(first.cancelled);
    QVERIFY(!std::filesystem::exists(stopped + "/poslab-demo-llama/model.safetensors"));
    std::vector<std::string> log;
    const DemoBuildResult second = DemoBuilder(tiny(5)).build(
        stopped, [&](const std::string& l) { log.push_back(l); }, 0);
    QVERIFY(!second.cancelled);
    QVERIFY(std::any_of(log.begin(), log.end(), [](const std::string& l) {
      return l.find("resuming at step") != std::string::npos;
    }));
    QVERIFY(fileBytes(whole + "/poslab-demo-llama/model.safetensors") ==
            fileBytes(stopped + "/poslab-demo-llama/model.safetensors"));
  }
};

QTEST_GUILESS_MAIN(TestDemoBuilder)
#include "test_demo_builder.moc"
