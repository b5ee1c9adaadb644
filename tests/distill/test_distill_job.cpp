// Pos2Distill runs on the bundled demo (resources/demo): the student prompts of
// a prepared set are the prompts sweeps measure, preparation is reproducible
// and resumes after a stop (also from the shares data-parallel ranks leave),
// training resumes to identical weights for r1, sft and seqkd, held-out
// evaluation lands in eval/step-N, run.lock keeps a second process out, and
// bad sets are refused with the file, line and field.
// LoRA: an R1 run with --lora resumes to the identical adapter, and its live
// teacher (the base with the adapter switched off) gives the cached teacher's
// losses; --adapter distils base + adapter, merged.
// R2 (two-hop data): instances hold (pre, post) hop pairs whose student prompts
// are the sweeps' pair prompts, wrong chains of thought are dropped and right
// ones (the two-hop demo's) kept, the method must fit the data, and an R2 run
// on the two-hop demo resumes to identical weights.
#include "core/data/DatasetLoader.h"
#include "core/data/GzipLineReader.h"
#include "core/demo/SyntheticTaskGenerator.h"
#include "core/demo/SyntheticTwoHopGenerator.h"
#include "core/distill/DistillJob.h"
#include "core/distill/DistillSetBuilder.h"
#include "core/engine/Engine.h"
#include "core/engine/ModelFingerprint.h"
#include "core/eval/TaskResponse.h"
#include "core/lora/LoraInitializer.h"
#include "core/lora/PeftAdapter.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/sweep/SweepRunner.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/RunLock.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <ATen/Parallel.h>
#include <QProcess>
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

std::string demoModel() {
  return resourcePath("demo/poslab-demo-llama");
}
std::string demoTrain() {
  return resourcePath("demo/train.jsonl.gz");
}
std::string demoHeldout() {
  return resourcePath("demo/heldout.jsonl.gz");
}

// The synthetic two-hop task in the demo's vocabulary, written once per process.
std::string twoHopData(const std::string& split) {
  const std::string file = tempDir("two-hop-" + split) + "/" + split + ".jsonl.gz";
  SyntheticTaskGenerator::writeJsonlGz(file, SyntheticTwoHopGenerator(DemoRecipe{}).examples(split, 40));
  return file;
}

// The two-hop demo (make-demo --task two-hop): it writes right chains of thought.
std::string twoHopDemo(const std::string& file) {
  return resourcePath("demo/two-hop/" + file);
}

DistillJobSpec smallSpec(const std::string& method) {
  DistillJobSpec s;
  s.model = demoModel();
  s.data = demoTrain();
  s.distill.method = method;
  s.distill.questions = 6;
  s.distill.k = 3;
  s.settings.batchSize = 8;
  s.settings.microBatch = 3;
  s.settings.totalSteps = 6;
  s.settings.warmupSteps = 1;
  s.settings.lr = 2e-3;
  s.settings.seed = 5;
  s.settings.checkpointEvery = 2;
  s.stepsGiven = true;
  s.prompts.settings = s.settings;
  return s;
}

TrainingJobRuntime quietRuntime(const std::atomic<bool>* cancel = nullptr) {
  TrainingJobRuntime rt;
  rt.threads = 1;
  rt.software = "test";
  rt.cancel = cancel;
  return rt;
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Cli {
  int exitCode = -1;
  QString out, err;
};
Cli cli(const QStringList& args) {
  QProcess p;
  p.start(QString::fromLocal8Bit(qgetenv("POSLAB_CLI")), args);
  if (!p.waitForFinished(300000)) qFatal("poslab-cli %s did not finish", qPrintable(args.join(' ')));
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestDistillJob : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  // The acceptance test of "one prompt path": a distill instance's student ids
  // are the ids a sweep with the same settings builds, and their count is the
  // prompt_tokens a real `poslab-cli sweep` records for that (example, position).
  void studentPromptsAreTheSweepsPrompts() {
    const std::string run = tempDir("identity");
    DistillJobSpec spec = smallSpec("r1");
    spec.prepareOnly = true;
    const DistillOutcome out = DistillJob::start(spec, run, quietRuntime());
    QCOMPARE(QString::fromStdString(out.status), QString("prepared"));
    const DistillSet set = DistillSet::read(run + "/distill-set.jsonl");
    QVERIFY(set.count(InstanceKind::Activation) >= 3);

    SweepSettings sweep;
    sweep.modelPath = demoModel();
    sweep.dataPath = demoTrain();
    sweep = ExperimentPrompts::resolve(sweep);
    QCOMPARE(sweep.docs, size_t(20)); // from the model's poslab_task.json
    const LoadedDataset data = ExperimentPrompts::loadExamples(sweep);
    const auto engine = Engine::open(demoModel(), {"cpu", "f32", 1, "", false});
    const PromptFactory factory = ExperimentPrompts::factory(engine->requireTokenizer(), sweep, TaskKind::Qa);
    const DistillInstance& first = set.instances.front();
    for (const DistillInstance& d : set.instances) {
      const size_t example = d.extra.at("example").get<size_t>();
      const auto want = factory.atPosition(data.examples[example], static_cast<size_t>(d.bin())).encoding.ids;
      QCOMPARE(d.studentPromptIds, want);
      const auto teacher = factory.atPosition(data.examples[example], 0).encoding.ids;
      QCOMPARE(d.teacherPromptIds, teacher);
    }

    // A real sweep of that example at that position: the same prompt length.
    const size_t example = first.extra.at("example").get<size_t>();
    const std::string subset = tempDir("identity-data") + "/one.jsonl";
    {
      std::ofstream o(subset);
      GzipLineReader in(demoTrain());
      std::string line;
      for (size_t i = 0; in.next(line); ++i)
        if (i == example) o << line << '\n';
    }
    const std::string sweepDir = tempDir("identity-sweep");
    const Cli r = cli({"sweep", "--model", QString::fromStdString(demoModel()), "--data",
                       QString::fromStdString(subset), "--positions", QString::number(first.bin()), "--out",
                       QString::fromStdString(sweepDir), "--quiet", "--threads", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    std::ifstream records(sweepDir + "/examples.jsonl");
    std::string line;
    QVERIFY(std::getline(records, line));
    QCOMPARE(nlohmann::json::parse(line)["prompt_tokens"].get<size_t>(), first.studentPromptIds.size());
  }

  void preparationIsReproducibleAndResumes() {
    const std::string a = tempDir("prep-a"), b = tempDir("prep-b");
    DistillJobSpec spec = smallSpec("r1");
    spec.prepareOnly = true;
    spec.distill.decoding = "sampled"; // the seeded draw must reproduce too
    DistillOutcome first = DistillJob::start(spec, a, quietRuntime());
    QCOMPARE(first.preparation.questions, int64_t(6));
    QCOMPARE(first.preparation.kept + first.preparation.dropped, int64_t(6));
    // Stopped after two questions, then resumed.
    std::atomic<bool> cancel{false};
    TrainingJobRuntime rt = quietRuntime(&cancel);
    rt.progress = [&](const TrainingProgress& p) { cancel = p.step >= 2; };
    QCOMPARE(QString::fromStdString(DistillJob::start(spec, b, rt).status), QString("cancelled"));
    QVERIFY(!fs::exists(b + "/distill-set.jsonl"));
    const DistillOutcome resumed = DistillJob::resume(b, std::nullopt, quietRuntime());
    QCOMPARE(QString::fromStdString(resumed.status), QString("prepared"));
    QCOMPARE(resumed.preparation.resumed, int64_t(2));
    QCOMPARE(readAll(a + "/distill-set.jsonl"), readAll(b + "/distill-set.jsonl"));
  }

  // A damaged prepare.jsonl (the resumable log of the teacher's decisions) is
  // one error naming the file, the line and the field when the run resumes:
  // never nlohmann's type_error, nor a histogram sized by a huge position.
  void damagedPrepareLogIsRefusedByLine_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("kept a string") << "kept"
                                   << R"("yes")"
                                   << "kept: has the wrong type (string)";
    QTest::newRow("stop reason a number") << "stop_reason"
                                          << "3"
                                          << "stop_reason: has the wrong type (number)";
    QTest::newRow("instances not a list") << "instances"
                                          << "{}"
                                          << "instances: expected a list of instances";
    QTest::newRow("position beyond the prompt")
        << "gold_position"
        << "1000000000000000000"
        << "gold_position: 1000000000000000000 is beyond the student's prompt";
    QTest::newRow("question missing") << "question"
                                      << ""
                                      << "question: missing";
  }
  void damagedPrepareLogIsRefusedByLine() {
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    const std::string run = tempDir("prep-damaged");
    DistillJobSpec spec = smallSpec("r1");
    spec.prepareOnly = true;
    std::atomic<bool> cancel{false};
    TrainingJobRuntime rt = quietRuntime(&cancel);
    rt.progress = [&](const TrainingProgress& p) { cancel = p.step >= 3; };
    QCOMPARE(QString::fromStdString(DistillJob::start(spec, run, rt).status), QString("cancelled"));
    // The first kept question's line, damaged in one field.
    std::vector<nlohmann::json> lines;
    {
      std::ifstream in(run + "/prepare.jsonl");
      for (std::string line; std::getline(in, line);)
        lines.push_back(nlohmann::json::parse(line));
    }
    size_t n = 0;
    while (n < lines.size() && !lines[n].value("kept", false))
      ++n;
    QVERIFY2(n < lines.size(), "no question kept in the first three");
    nlohmann::json& line = lines[n];
    const std::string key = field.toStdString();
    if (key == "gold_position")
      line["instances"][0][key] = nlohmann::json::parse(value.toStdString());
    else if (value.isEmpty())
      line.erase(key);
    else
      line[key] = nlohmann::json::parse(value.toStdString());
    {
      std::ofstream out(run + "/prepare.jsonl", std::ios::trunc);
      for (const nlohmann::json& l : lines)
        out << l.dump() << '\n';
    }
    QString error;
    try {
      DistillJob::resume(run, std::nullopt, quietRuntime());
    } catch (const Error& e) {
      error = e.what();
    }
    const QString where =
        QString::fromStdString(run + "/prepare.jsonl: line ") + QString::number(n + 1) + ": ";
    QVERIFY2(error.startsWith(where + message), qPrintable(error));
  }

  // What data-parallel ranks do (DistillJob): shares decided into logs of their
  // own, then taken in by one prepare, give the set of one prepare, in sampled
  // decoding too (each question's draw depends on the seed and the question).
  // A share nobody decided (rank 1 of 3 here) is decided by the taking prepare.
  void sharesTakenInGiveOneProcessSet() {
    SweepSettings prompts;
    prompts.modelPath = demoModel();
    prompts.dataPath = demoTrain();
    prompts = ExperimentPrompts::resolve(prompts);
    const LoadedDataset data = ExperimentPrompts::loadExamples(prompts);
    const auto engine = Engine::open(demoModel(), {"cpu", "f32", 1, "", false});
    DistillSettings d;
    d.method = "r1";
    d.questions = 7;
    d.k = 2;
    d.decoding = "sampled";
    const DistillSetBuilder builder(engine->model(), engine->requireTokenizer(), prompts, d, 5,
                                    SweepRunner::stopIds(*engine), -1);
    const fs::path dir = tempDir("shares");
    PreparationReport one;
    const std::optional<DistillSet> want = builder.prepare(data.examples, (dir / "one.jsonl").string(), one);
    QVERIFY(want);
    PreparationReport share0, share2;
    QVERIFY(builder.prepareShare(data.examples, (dir / "rank-0.jsonl").string(), {0, 3, {}}, share0));
    QVERIFY(builder.prepareShare(data.examples, (dir / "rank-2.jsonl").string(), {2, 3, {}}, share2));
    QCOMPARE(share0.questions, int64_t(3)); // drawn places 0, 3, 6
    QCOMPARE(share2.questions, int64_t(2)); // 2, 5
    PreparationReport merged;
    const std::optional<DistillSet> got =
        builder.prepare(data.examples, (dir / "merged.jsonl").string(), merged, {}, nullptr,
                        {(dir / "rank-0.jsonl").string(), (dir / "rank-2.jsonl").string()});
    QVERIFY(got);
    QCOMPARE(got->instances.size(), want->instances.size());
    for (size_t i = 0; i < want->instances.size(); ++i)
      QCOMPARE(got->instances[i].toJson().dump(), want->instances[i].toJson().dump());
    QCOMPARE(merged.resumed, int64_t(5));
    nlohmann::json a = merged.toJson(), b = one.toJson();
    for (const char* field : {"resumed", "seconds"}) {
      a.erase(field);
      b.erase(field);
    }
    QCOMPARE(a.dump(), b.dump()); // kept, dropped, positions and stop reasons too
    QVERIFY(!one.stopReasons.empty());
    // The taking log holds every question, so the shares may go.
    QCOMPARE(sortedLines(dir / "merged.jsonl"), sortedLines(dir / "one.jsonl"));
  }

  void loraRunResumesAndItsTeacherIsTheBase() {
    DistillJobSpec spec = smallSpec("r1");
    spec.settings.loraRank = 4;
    spec.settings.lr = 1e-2;
    spec.prompts.settings = spec.settings;
    spec.distill.teacher = "cache";
    const std::string cached = tempDir("lora-cached"), live = tempDir("lora-live"),
                      stopped = tempDir("lora-stop");
    const DistillOutcome a = DistillJob::start(spec, cached, quietRuntime());
    QCOMPARE(QString::fromStdString(a.status), QString("finished"));
    spec.distill.teacher = "live";
    const DistillOutcome b = DistillJob::start(spec, live, quietRuntime());
    // If the live teacher saw the adapter, it would drift from the cache after step 1.
    for (size_t i = 0; i < a.training.losses.size(); ++i)
      QVERIFY2(
          std::abs(a.training.losses[i] - b.training.losses[i]) <= 1e-5,
          qPrintable(
              QString("step %1: %2 vs %3").arg(i + 1).arg(a.training.losses[i]).arg(b.training.losses[i])));
    QVERIFY(a.training.losses.back() != a.training.losses.front());
    // The live plan holds no second copy of the model.
    QCOMPARE(b.plan.teacher, int64_t(0));

    std::atomic<bool> cancel{false};
    TrainingJobRuntime rt = quietRuntime(&cancel);
    rt.progress = [&](const TrainingProgress& p) { cancel = p.step == 3; };
    spec.distill.teacher = "cache";
    QCOMPARE(QString::fromStdString(DistillJob::start(spec, stopped, rt).status), QString("cancelled"));
    const DistillOutcome rest = DistillJob::resume(stopped, std::nullopt, quietRuntime());
    QCOMPARE(rest.training.losses, a.training.losses);
    QVERIFY(fs::exists(cached + "/model/adapter_config.json"));
    QVERIFY(!fs::exists(cached + "/model/model.safetensors"));
    QCOMPARE(readAll(cached + "/model/adapter_model.safetensors"),
             readAll(stopped + "/model/adapter_model.safetensors"));
  }

  void adapterIsMergedIntoTheModelToFix() {
    // An adapter with B != 0 for the demo model, written as PEFT writes it.
    const std::string adapterDir = tempDir("demo-adapter");
    {
      const auto engine = Engine::open(demoModel());
      LoraConfig c;
      c.r = 2;
      c.alpha = 4;
      c.targets = {"q_proj", "down_proj"};
      c.baseModel = demoModel();
      auto w = LoraInitializer::create(c, engine->model(), 3);
      for (auto& layer : w->layers)
        for (LoraPair& p : layer)
          if (p.defined()) p.b.normal_(0, 0.05);
      PeftAdapter::write(adapterDir, c, *w);
    }
    DistillJobSpec spec = smallSpec("sft");
    spec.settings.totalSteps = 2;
    spec.adapter = adapterDir;
    const std::string withAdapter = tempDir("with-adapter"), asModel = tempDir("adapter-as-model");
    const DistillOutcome out = DistillJob::start(spec, withAdapter, quietRuntime());
    QCOMPARE(QString::fromStdString(out.status), QString("finished"));
    const nlohmann::json manifest = JsonFile::readObject(withAdapter + "/run.json");
    QCOMPARE(manifest["model"]["adapter"].get<std::string>(), adapterDir);
    QCOMPARE(manifest["model"]["fingerprint"].get<std::string>(),
             ModelFingerprint::of(demoModel(), adapterDir));
    QVERIFY(manifest["model"]["fingerprint"] != ModelFingerprint::of(demoModel()));
    QCOMPARE(manifest["sources"]["adapter"].get<std::string>(), adapterDir);
    // The same run with the adapter folder as --model.
    DistillJobSpec same = spec;
    same.model = adapterDir;
    same.adapter.clear();
    const DistillOutcome again = DistillJob::start(same, asModel, quietRuntime());
    QCOMPARE(again.training.losses, out.training.losses);
    QCOMPARE(readAll(withAdapter + "/model/model.safetensors"),
             readAll(asModel + "/model/model.safetensors"));
    // --lora on top of an adapter has no base folder to name: refused.
    spec.settings.loraRank = 4;
    try {
      DistillJob::start(spec, tempDir("adapter-and-lora"), quietRuntime());
      QFAIL("--adapter with --lora was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("--adapter") != std::string::npos, e.what());
    }
  }

  // Two-hop data: every instance holds a (pre, post) hop pair other than the
  // teacher's (the hops last), and its student ids are the ids a two-hop sweep
  // builds for that pair; sft's response is the answer as R2's metric reads it.
  void twoHopInstancesHoldHopPairs() {
    const std::string run = tempDir("two-hop-sft");
    DistillJobSpec spec = smallSpec("sft");
    spec.data = twoHopData("train");
    spec.prepareOnly = true;
    QCOMPARE(QString::fromStdString(DistillJob::start(spec, run, quietRuntime()).status),
             QString("prepared"));
    const DistillSet set = DistillSet::read(run + "/distill-set.jsonl");
    QCOMPARE(set.instances.size(), size_t(6 * 3));

    SweepSettings sweep;
    sweep.modelPath = demoModel();
    sweep.dataPath = spec.data;
    sweep = ExperimentPrompts::resolve(sweep);
    QCOMPARE(QString::fromStdString(sweep.task), QString("two-hop")); // the data's task, not the model's qa
    QCOMPARE(sweep.promptTemplate, std::string());                    // so not the demo's prompt.txt
    const LoadedDataset data = ExperimentPrompts::loadExamples(sweep);
    const auto engine = Engine::open(demoModel(), {"cpu", "f32", 1, "", false});
    const Tokenizer& tokenizer = engine->requireTokenizer();
    const PromptFactory factory = ExperimentPrompts::factory(tokenizer, sweep, TaskKind::TwoHop);
    QCOMPARE(factory.promptTemplate().name(), std::string("pos2distill_cot"));
    std::map<int64_t, std::set<std::vector<int64_t>>> pairsOf;
    bool reversed = false, separated = false;
    for (const DistillInstance& d : set.instances) {
      QCOMPARE(d.goldPosition.size(), size_t(2));
      const auto pre = static_cast<size_t>(d.goldPosition[0]), post = static_cast<size_t>(d.goldPosition[1]);
      QVERIFY(pre != post && pre < 20 && post < 20);
      QVERIFY(!(pre == 18 && post == 19));
      reversed = reversed || post < pre;
      separated = separated || (pre < post && post - pre > 1);
      QVERIFY(pairsOf[d.question].insert(d.goldPosition).second); // distinct per question
      const RetrievalExample& ex = data.examples[d.extra.at("example").get<size_t>()];
      const PromptInstance student = factory.atPair(ex, pre, post);
      QCOMPARE(d.studentPromptIds, student.encoding.ids);
      std::vector<int32_t> response = factory.answerIds(student, "The answer is: " + ex.answers.front());
      response.push_back(tokenizer.specialTokens().eos);
      QCOMPARE(d.responseIds, response);
      QCOMPARE(d.extra.at("teacher_position"), nlohmann::json({18, 19}));
    }
    QVERIFY(reversed && separated);

    // A real two-hop sweep: 19 places for the pair, position 18 is the teacher's
    // layout (hops last), and the prompt is the one built here.
    const std::string sweepDir = tempDir("two-hop-sweep");
    const Cli r = cli({"sweep", "--model", QString::fromStdString(demoModel()), "--data",
                       QString::fromStdString(spec.data), "--limit", "1", "--positions", "18", "--out",
                       QString::fromStdString(sweepDir), "--quiet", "--threads", "1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json summary = JsonFile::readObject(sweepDir + "/summary.json");
    QCOMPARE(QString::fromStdString(summary["settings"]["task"].get<std::string>()), QString("two-hop"));
    std::ifstream records(sweepDir + "/examples.jsonl");
    std::string line;
    QVERIFY(std::getline(records, line));
    QCOMPARE(nlohmann::json::parse(line)["prompt_tokens"].get<size_t>(),
             factory.atPair(data.examples[0], 18, 19).encoding.ids.size());
    QVERIFY_THROWS_EXCEPTION(Error, factory.atPosition(data.examples[0], 19));
  }

  // The demo cannot write "The answer is" (its tokenizer has no pieces for it),
  // so every chain of thought it writes is wrong: each is dropped, counted and
  // kept in prepare.jsonl, and the run stops with the reason.
  void r2DropsWrongChainsOfThought() {
    const std::string run = tempDir("two-hop-r2");
    DistillJobSpec spec = smallSpec("r2");
    spec.data = twoHopData("train");
    spec.distill.questions = 3;
    spec.distill.maxNewTokens = 24;
    spec.prepareOnly = true;
    try {
      DistillJob::start(spec, run, quietRuntime());
      QFAIL("a set of wrong chains of thought was accepted");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("no question was kept (3 dropped") != std::string::npos, e.what());
    }
    std::ifstream log(run + "/prepare.jsonl");
    int lines = 0;
    for (std::string line; std::getline(log, line); ++lines) {
      const auto j = nlohmann::json::parse(line);
      QCOMPARE(j["kept"].get<bool>(), false);
      QCOMPARE(QString::fromStdString(j["reason"].get<std::string>()), QString("wrong teacher answer"));
    }
    QCOMPARE(lines, 3);
  }

  // The two-hop demo answers right when both hops are last (its teacher
  // layout): r2 keeps those questions, each with K instances at other hop pairs
  // whose response is the teacher's chain of thought, exact after "The answer is".
  void r2KeepsRightChainsOfThought() {
    const std::string run = tempDir("two-hop-demo-r2");
    DistillJobSpec spec = smallSpec("r2");
    spec.model = twoHopDemo("poslab-demo-two-hop");
    spec.data = twoHopDemo("train.jsonl.gz");
    spec.distill.questions = 8;
    spec.prepareOnly = true;
    const DistillOutcome out = DistillJob::start(spec, run, quietRuntime());
    QCOMPARE(QString::fromStdString(out.status), QString("prepared"));
    QCOMPARE(out.preparation.questions, int64_t{8});
    QVERIFY2(out.preparation.kept >= 6, qPrintable(QString::number(out.preparation.kept) + " of 8 kept"));
    const auto examples = DatasetLoader::load(spec.data).examples;
    std::ifstream set(run + "/distill-set.jsonl");
    size_t instances = 0;
    std::set<int64_t> questions;
    for (std::string line; std::getline(set, line); ++instances) {
      const DistillInstance d = DistillInstance::fromJson(nlohmann::json::parse(line), "distill-set.jsonl");
      QVERIFY(d.kind == InstanceKind::Sequence);
      QCOMPARE(d.goldPosition.size(), size_t{2});
      QVERIFY(!(d.goldPosition[0] == 18 && d.goldPosition[1] == 19)); // not the teacher's pair
      const std::string text = d.extra["response_text"].get<std::string>();
      const RetrievalExample& ex = examples.at(d.extra["example"].get<size_t>());
      QVERIFY2(TaskResponse::exactMatch(ex, TaskResponse::prediction(TaskKind::TwoHop, text)) == 1.0,
               text.c_str());
      QCOMPARE(d.responseIds.back(), int32_t{2}); // the teacher's EOS
      questions.insert(d.question);
    }
    QCOMPARE(static_cast<int64_t>(questions.size()), out.preparation.kept);
    QCOMPARE(static_cast<int64_t>(instances), out.preparation.kept * 3); // K = 3 pairs each, no anchors in r2
  }

  void methodMustFitTheData_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("twoHop");
    QTest::addColumn<QString>("message");
    QTest::newRow("r1 on two-hop data") << "r1" << true << "r1 distils one gold document";
    QTest::newRow("r2 on one-gold data") << "r2" << false << "is a qa example; r2 needs two-hop data";
  }
  void methodMustFitTheData() {
    QFETCH(QString, method);
    QFETCH(bool, twoHop);
    QFETCH(QString, message);
    DistillJobSpec spec = smallSpec(method.toStdString());
    if (twoHop) spec.data = twoHopData("train");
    spec.prepareOnly = true;
    try {
      DistillJob::start(spec, tempDir("misfit"), quietRuntime());
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(message), e.what());
    }
  }

  void trainingResumesToIdenticalWeights_data() {
    QTest::addColumn<QString>("method");
    QTest::newRow("r1") << "r1";
    QTest::newRow("sft") << "sft";
    QTest::newRow("seqkd") << "seqkd";
    QTest::newRow("r2") << "r2";
  }
  void trainingResumesToIdenticalWeights() {
    QFETCH(QString, method);
    const std::string straight = tempDir("straight-" + method.toStdString());
    const std::string stopped = tempDir("stopped-" + method.toStdString());
    DistillJobSpec spec = smallSpec(method.toStdString());
    if (method == "r1") {
      spec.distill.evalData = demoHeldout();
      spec.distill.evalExamples = 4;
      spec.distill.evalPositions = {0, 10};
      spec.distill.evalEvery = 3;
    }
    if (method == "r2") {
      // The two-hop demo's own chains of thought, trained at hop pairs and
      // evaluated on its held-out questions.
      spec.model = twoHopDemo("poslab-demo-two-hop");
      spec.data = twoHopDemo("train.jsonl.gz");
      spec.distill.evalData = twoHopDemo("heldout.jsonl.gz");
      spec.distill.evalExamples = 3;
      spec.distill.evalPositions = {0, 18};
      spec.distill.evalEvery = 3;
    }
    const DistillOutcome full = DistillJob::start(spec, straight, quietRuntime());
    QCOMPARE(QString::fromStdString(full.status), QString("finished"));
    QCOMPARE(full.training.step, int64_t(6));

    std::atomic<bool> cancel{false};
    TrainingJobRuntime rt = quietRuntime(&cancel);
    rt.progress = [&](const TrainingProgress& p) { cancel = p.lr > 0 && p.step == 3; };
    const DistillOutcome half = DistillJob::start(spec, stopped, rt);
    QCOMPARE(QString::fromStdString(half.status), QString("cancelled"));
    QCOMPARE(half.training.step, int64_t(3));
    const DistillOutcome rest = DistillJob::resume(stopped, std::nullopt, quietRuntime());
    QCOMPARE(QString::fromStdString(rest.status), QString("finished"));
    for (size_t i = 0; i < full.training.losses.size(); ++i)
      QCOMPARE(rest.training.losses[i], full.training.losses[i]);
    QCOMPARE(readAll(straight + "/model/model.safetensors"), readAll(stopped + "/model/model.safetensors"));
    // The published model is a complete model folder with the task files.
    QVERIFY(fs::exists(straight + "/model/poslab_task.json"));
    QVERIFY(fs::exists(straight + "/model/prompt.txt"));
    QVERIFY(!fs::exists(RunLock::path(straight)));

    const nlohmann::json manifest = JsonFile::readObject(straight + "/run.json");
    QCOMPARE(QString::fromStdString(manifest["kind"].get<std::string>()), QString("distill"));
    QCOMPARE(QString::fromStdString(manifest["status"].get<std::string>()), QString("finished"));
    std::vector<std::string> kinds;
    std::ifstream ev(straight + "/events.jsonl");
    for (std::string line; std::getline(ev, line);) {
      const auto e = nlohmann::json::parse(line);
      kinds.push_back(e["event"]);
      if (e["event"] == "step" && method == "r1") {
        QVERIFY(e.contains("kl_by_position"));
        QVERIFY(e.contains("weights"));
        QVERIFY(e["tokens_per_s"].get<double>() > 0);
      }
    }
    if (method == "r1") QVERIFY(std::count(kinds.begin(), kinds.end(), "teacher") == 1);
    if (method == "r1" || method == "r2") {
      QCOMPARE(std::count(kinds.begin(), kinds.end(), "eval"), 3); // steps 0, 3 and 6
      for (int step : {0, 3, 6}) {
        const auto s =
            JsonFile::readObject(straight + "/eval/step-" + std::to_string(step) + "/summary.json");
        QCOMPARE(s["positions"].size(), size_t(2));
        QCOMPARE(s["positions"][0]["n"].get<int>(), method == "r1" ? 4 : 3);
      }
    }
  }

  void secondProcessIsRefusedWhileTheRunIsLive() {
    const std::string run = tempDir("locked");
    const RunLock held(run);
    const auto owner = RunLock::inspect(run);
    QVERIFY(owner && owner->alive);
    QCOMPARE(owner->info["pid"].get<int64_t>(), int64_t(QCoreApplication::applicationPid()));
    fs::create_directories(run);
    JsonFile::write(run + "/run.json", nlohmann::json{{"kind", "distill"}});
    try {
      DistillJob::resume(run, std::nullopt, quietRuntime());
      QFAIL("no error");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains("run.lock: the run is owned by a live process"), e.what());
    }
  }

  // A preset fills the settings and every option given overrides it, wherever it stands.
  void optionsOverrideThePreset_data() {
    QTest::addColumn<bool>("presetFirst");
    QTest::newRow("preset first") << true;
    QTest::newRow("preset last") << false;
  }
  void optionsOverrideThePreset() {
    QFETCH(bool, presetFirst);
    const std::string run = tempDir("preset") + "/run";
    QStringList args = {"distill",
                        "--model",
                        QString::fromStdString(demoModel()),
                        "--data",
                        QString::fromStdString(demoTrain()),
                        "--out",
                        QString::fromStdString(run),
                        "--prepare-only",
                        "--questions",
                        "2",
                        "--lr",
                        "5e-4",
                        "--threads",
                        "1"};
    if (presetFirst)
      args = QStringList{args[0], "--preset", "demo"} + args.mid(1);
    else
      args << "--preset"
           << "demo";
    const Cli r = cli(args);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json m = JsonFile::readObject(run + "/run.json");
    QCOMPARE(m["settings"]["lr"].get<double>(), 5e-4);    // given
    QCOMPARE(m["settings"]["batch_size"].get<int>(), 32); // from the preset
    QCOMPARE(m["distill"]["questions"].get<int>(), 2);    // given
    QCOMPARE(m["distill"]["eval_every"].get<int>(), 50);  // from the preset
    QCOMPARE(QString::fromStdString(m["status"].get<std::string>()), QString("prepared"));
  }

  void badSetsAreRefused_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("message");
    const QString ok =
        R"("question": 0, "kind": "activation", "gold_position": 3, "teacher_prompt_ids": [1, 5, 6], )"
        R"("student_prompt_ids": [1, 6, 5])";
    QTest::newRow("missing response") << "{" + ok + "}"
                                      << "line 2: response_ids: missing";
    QTest::newRow("empty response") << "{" + ok + R"(, "response_ids": []})"
                                    << "line 2: response_ids: is empty: nothing to train on";
    QTest::newRow("id outside the vocabulary")
        << "{" + ok + R"(, "response_ids": [700]})"
        << "line 2: response_ids: token id 700 is outside the model's vocabulary of 512";
    QTest::newRow("negative id") << "{" + ok + R"(, "response_ids": [-3]})"
                                 << "line 2: response_ids: holds -3, not a token id";
    QTest::newRow("missing teacher prompt")
        << R"({"question": 0, "kind": "activation", "gold_position": 3, "student_prompt_ids": [1], "response_ids": [5]})"
        << "line 2: teacher_prompt_ids: missing (a KL instance needs the teacher's prompt)";
    QTest::newRow("unknown kind")
        << R"({"question": 0, "kind": "other", "gold_position": 1, "student_prompt_ids": [1], "response_ids": [5]})"
        << "line 2: kind: is other; expected \"activation\", \"anchor\" or \"sequence\"";
    QTest::newRow("not JSON") << "{\"question\": "
                              << "line 2: not valid JSON";
    QString longPrompt;
    for (int i = 0; i < 600; ++i)
      longPrompt += (i ? ", " : "") + QString::number(5);
    QTest::newRow("longer than the context")
        << R"({"question": 0, "kind": "activation", "gold_position": 3, "teacher_prompt_ids": [1, 5], "student_prompt_ids": [)" +
               longPrompt + R"(], "response_ids": [5]})"
        << "line 2: student_prompt_ids: the prompt (600 tokens) and the response (1) exceed the model's "
           "context of 512 tokens";
  }
  void badSetsAreRefused() {
    QFETCH(QString, line);
    QFETCH(QString, message);
    const std::string dir = tempDir("bad-set");
    const std::string file = dir + "/set.jsonl";
    {
      std::ofstream o(file);
      o << R"({"question": 0, "kind": "anchor", "gold_position": 0, "teacher_prompt_ids": [1, 5], "student_prompt_ids": [1, 5], "response_ids": [7]})"
        << '\n'
        << line.toStdString() << '\n';
    }
    const Cli r =
        cli({"distill", "--model", QString::fromStdString(demoModel()), "--set", QString::fromStdString(file),
             "--method", "r1", "--out", QString::fromStdString(dir + "/run"), "--steps", "1"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith("poslab-cli: " + QString::fromStdString(file) + ": " + message),
             qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
  }
};

QTEST_GUILESS_MAIN(TestDistillJob)
#include "test_distill_job.moc"
