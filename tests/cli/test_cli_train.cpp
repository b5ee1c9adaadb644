// `poslab-cli train`: fine-tune the real stories260K GGUF on a small generated
// QA set, resume it, train from scratch with --init, stop it with a signal,
// and the run folder's contract (run.json, events.jsonl, checkpoints/, model/).
#include "tests/util/TestPaths.h"

#include <QProcess>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

struct Run {
  int exitCode = -1;
  QString out, err;
};

Run cli(const QStringList& args) {
  QProcess p;
  p.start(QString::fromLocal8Bit(qgetenv("POSLAB_CLI")), args);
  if (!p.waitForFinished(300000)) qFatal("poslab-cli %s did not finish", qPrintable(args.join(' ')));
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString stories() {
  return QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf"));
}

// 16 short QA examples, 3 documents each, the gold second.
QString writeDataset(const std::string& dir) {
  const char* names[] = {"Tom", "Lily", "Sam", "Max"};
  const char* things[] = {"a red ball", "a big dog", "a small cat", "a blue car"};
  const fs::path path = fs::path(dir) / "tiny.jsonl";
  std::ofstream out(path);
  for (int i = 0; i < 16; ++i) {
    nlohmann::json docs = nlohmann::json::array();
    docs.push_back({{"title", "Story"},
                    {"text", std::string(names[(i + 1) % 4]) + " saw " + things[(i + 2) % 4] + "."}});
    docs.push_back({{"title", "Gold"},
                    {"text", std::string(names[i % 4]) + " had " + things[i / 4] + "."},
                    {"is_gold", true}});
    docs.push_back({{"title", "Story"},
                    {"text", std::string(names[(i + 3) % 4]) + " saw " + things[(i + 1) % 4] + "."}});
    out << nlohmann::json{{"id", i},
                          {"question", std::string("what did ") + names[i % 4] + " have"},
                          {"answers", {things[i / 4]}},
                          {"documents", docs}}
               .dump()
        << '\n';
  }
  return QString::fromStdString(path.string());
}

nlohmann::json readJson(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::vector<nlohmann::json> events(const QString& run) {
  std::vector<nlohmann::json> out;
  std::ifstream in(fs::path(run.toStdString()) / "events.jsonl");
  for (std::string line; std::getline(in, line);)
    out.push_back(nlohmann::json::parse(line));
  return out;
}

int countEvents(const QString& run, const std::string& kind) {
  int n = 0;
  for (const nlohmann::json& e : events(run))
    n += e["event"] == kind ? 1 : 0;
  return n;
}

} // namespace

class TestCliTrain : public QObject {
  Q_OBJECT
  QString dir_, data_, run_;

private Q_SLOTS:
  void initTestCase() {
    dir_ = QString::fromStdString(tempDir("cli-train"));
    data_ = writeDataset(dir_.toStdString());
    run_ = dir_ + "/run";
  }

  void fineTunesAGgufModel() {
    Run r = cli({"train", "--model", stories(), "--data", data_, "--out", run_, "--steps", "6", "--batch",
                 "4", "--lr", "1e-3", "--position-weights", "1,0,3", "--threads", "1", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json out = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(out["status"].get<std::string>(), std::string("finished"));
    QCOMPARE(out["step"].get<int>(), 6);
    QVERIFY(r.err.contains("6/6")); // the progress bar
    const fs::path run(run_.toStdString());
    const nlohmann::json manifest = readJson(run / "run.json");
    QCOMPARE(manifest["kind"].get<std::string>(), std::string("train"));
    QCOMPARE(manifest["status"].get<std::string>(), std::string("finished"));
    QVERIFY(manifest["model"]["fingerprint"].get<std::string>().starts_with("quick-sha256:"));
    QVERIFY(manifest["data"]["fingerprint"].get<std::string>().starts_with("sha256:"));
    QCOMPARE(manifest["data"]["gold_positions"][1].get<int>(), 0); // weight 0: never drawn
    QCOMPARE(manifest["settings"]["total_steps"].get<int>(), 6);
    QCOMPARE(manifest["settings"]["shuffle"].get<bool>(), true); // without --no-shuffle
    QCOMPARE(countEvents(run_, "step"), 6);
    QCOMPARE(countEvents(run_, "finish"), 1);
    // The trained model is a model every command opens.
    Run info = cli({"info", run_ + "/model", "--json"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    Run gen = cli({"generate", run_ + "/model", "--prompt", "Tom had", "--max-new-tokens", "4", "--json"});
    QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
    QCOMPARE(nlohmann::json::parse(gen.out.toStdString())["ids"].size(), size_t(4));
  }

  void resumeContinuesTheRun() {
    const QString published = dir_ + "/published";
    Run r = cli({"train", "--out", run_, "--resume", "--steps", "8", "--threads", "1", "--json", "--publish",
                 published});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(nlohmann::json::parse(r.out.toStdString())["step"].get<int>(), 8);
    // --publish: the final model with the run's own record of how it was made.
    const fs::path pub(published.toStdString()), run(run_.toStdString());
    for (const char* name : {"model.safetensors", "config.json", "run.json", "events.jsonl"})
      QVERIFY2(fs::is_regular_file(pub / name), name);
    QCOMPARE(readJson(pub / "run.json"), readJson(run / "run.json"));
    QCOMPARE(readJson(pub / "run.json")["status"].get<std::string>(), std::string("finished"));
    QCOMPARE(fs::file_size(pub / "events.jsonl"), fs::file_size(run / "events.jsonl"));
    QVERIFY(!fs::exists(pub / "optimizer.safetensors"));
    QVERIFY2(cli({"info", published, "--json"}).exitCode == 0, "the published folder is a model");
    QCOMPARE(countEvents(run_, "step"), 8); // 6 + 2, appended to the same log
    QCOMPARE(countEvents(run_, "resume"), 1);
    QCOMPARE(readJson(fs::path(run_.toStdString()) / "checkpoints/step-000008/trainer_state.json")["losses"]
                 .size(),
             size_t(8));
  }

  void exportsTheFullModelAsHf() {
    const QString out = dir_ + "/export-hf";
    Run e = cli({"export", run_, "--format", "hf", "--dtype", "bf16", "--out", out});
    QVERIFY2(e.exitCode == 0, qPrintable(e.err));
    const fs::path dir(out.toStdString());
    for (const char* name : {"model.safetensors", "config.json", "poslab.json", "tokenizer.model"})
      QVERIFY2(fs::is_regular_file(dir / name), name);
    QVERIFY(!fs::exists(dir / "optimizer.safetensors"));
    QCOMPARE(readJson(dir / "config.json")["torch_dtype"].get<std::string>(), std::string("bfloat16"));
    const nlohmann::json info = readJson(dir / "poslab.json");
    QCOMPARE(info["step"].get<int>(), 8);
    QCOMPARE(info["run"]["kind"].get<std::string>(), std::string("train"));
    Run gen = cli({"generate", out, "--prompt", "Tom had", "--max-new-tokens", "2", "--json"});
    QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
    Run peft = cli({"export", run_, "--format", "peft", "--out", dir_ + "/export-peft"});
    QVERIFY(peft.exitCode != 0);
    QVERIFY2(peft.err.contains("not a LoRA adapter"), qPrintable(peft.err));
  }

  void refusals_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("existing run") << QStringList{"--model", stories(), "--data", "DATA", "--out", "RUN"}
                                  << "this folder already holds a run: continue it with --resume";
    QTest::newRow("change on resume")
        << QStringList{"--out", "RUN", "--resume", "--lr", "1"} << "--lr: cannot be changed on --resume";
    QTest::newRow("shuffle changed on resume") << QStringList{"--out", "RUN", "--resume", "--no-shuffle"}
                                               << "--no-shuffle: cannot be changed on --resume";
    QTest::newRow("no run to resume")
        << QStringList{"--out", "EMPTY", "--resume"} << "missing: there is no run to resume";
    QTest::newRow("both sources") << QStringList{"--model", "m",    "--init", "c.json",
                                                 "--data",  "DATA", "--out",  "NEW"}
                                  << "--model/--init: give exactly one of them";
    QTest::newRow("publish onto a non-empty folder") // refused before any training
        << QStringList{"--model", stories(), "--data", "DATA", "--out", "NEW3", "--publish", "RUN"}
        << "--publish: exists and is not an empty folder";
    QTest::newRow("weights count")
        << QStringList{"--model", stories(), "--data", "DATA", "--out", "NEW2", "--position-weights", "1,1"}
        << "example 0: position weights: 2 weights for 3 positions";
  }
  void refusals() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    args.replaceInStrings("DATA", data_).replaceInStrings("RUN", run_);
    args.replaceInStrings("EMPTY", dir_ + "/empty").replaceInStrings("NEW", dir_ + "/new");
    args.prepend("train");
    Run r = cli(args);
    QCOMPARE(r.exitCode, 1);
    // The error is the last line (notes such as "converting ..." may precede it).
    const QString last = r.err.trimmed().split('\n').last();
    QVERIFY2(last.startsWith("poslab-cli: ") && last.contains(message), qPrintable(r.err));
    QVERIFY(!fs::exists(dir_.toStdString() + "/new3")); // nothing started
  }

  void trainsFromScratchAndStopsOnSignal() {
    // A tiny config over the stories260K vocabulary (its tokenizer comes from the fine-tuning run's
    // conversion).
    const fs::path config = fs::path(dir_.toStdString()) / "tiny-config.json";
    std::ofstream(config) << nlohmann::json{
        {"architectures", {"LlamaForCausalLM"}},
        {"model_type", "llama"},
        {"hidden_size", 32},
        {"intermediate_size", 64},
        {"num_hidden_layers", 2},
        {"num_attention_heads", 4},
        {"num_key_value_heads", 2},
        {"vocab_size", 512},
        {"max_position_embeddings", 256},
        {"rms_norm_eps", 1e-5},
        {"bos_token_id", 1},
        {"eos_token_id", 2}}.dump();
    const QString run = dir_ + "/scratch";
    QProcess p;
    p.start(QString::fromLocal8Bit(qgetenv("POSLAB_CLI")),
            {"train", "--init", QString::fromStdString(config.string()), "--tokenizer", run_ + "/base-model",
             "--data", data_, "--out", run, "--steps", "100000", "--batch", "2", "--threads", "1",
             "--no-shuffle"});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(fs::exists(run.toStdString() + "/events.jsonl") && countEvents(run, "step") >= 2,
                             60000);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    const nlohmann::json manifest = readJson(fs::path(run.toStdString()) / "run.json");
    QCOMPARE(manifest["status"].get<std::string>(), std::string("cancelled"));
    QCOMPARE(manifest["settings"]["shuffle"].get<bool>(), false); // --no-shuffle: sequences in file order
    QVERIFY(manifest["model"]["init"].get<std::string>().ends_with("tiny-config.json"));
    QCOMPARE(countEvents(run, "cancel"), 1);
    const int steps = manifest["result"]["step"].get<int>();
    QVERIFY(steps >= 2);
    QVERIFY(fs::exists(fs::path(run.toStdString()) / "checkpoints" /
                       ("step-" + QString::number(steps).rightJustified(6, '0').toStdString()) /
                       "model.safetensors"));
    // The checkpoint holds the tokenizer too: a complete model folder.
    const QString latest = run + "/checkpoints/step-" + QString::number(steps).rightJustified(6, '0');
    Run gen = cli({"generate", latest, "--prompt", "Tom", "--max-new-tokens", "2", "--json"});
    QVERIFY2(gen.exitCode == 0, qPrintable(gen.err));
  }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"
