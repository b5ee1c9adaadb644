// LoRA from the command line: `train --lora` on the real stories260K GGUF, the
// run's model as an adapter folder every command opens (alone, or as --adapter
// on its base), `export --format peft|merged|hf`, and the exported PEFT
// adapter read by the independent Python reference (tests/reference/lora_logits.py)
// to the same logits, 1e-3 in fp32.
#include "core/weights/SafetensorsFile.h"
#include "core/weights/TensorLoader.h"
#include "tests/util/CliProcess.h"
#include "tests/util/TestPaths.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

const QString kIds = "1,400,52,9,300,17,250,33,5,120";

at::Tensor logitsFile(const std::string& path) {
  SafetensorsFile f(path);
  const TensorView* v = f.find("logits");
  if (!v) qFatal("%s has no logits", path.c_str());
  return loadTensor(*v, f.mapping(), at::kFloat).clone();
}

// `poslab-cli forward MODEL [extra...]` -> logits [T, vocab].
at::Tensor forward(const QString& dir, const QString& model, const QStringList& extra, const QString& name) {
  const QString out = dir + "/" + name + ".safetensors";
  CliRun r = cli(QStringList{"forward", model, "--ids", kIds, "--out", out, "--threads", "1"} + extra);
  if (r.exitCode != 0) qFatal("forward %s: %s", qPrintable(model), qPrintable(r.err));
  return logitsFile(out.toStdString());
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

nlohmann::json readJson(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// 8 short QA examples, 3 documents each.
QString writeDataset(const std::string& dir) {
  const char* names[] = {"Tom", "Lily", "Sam", "Max"};
  const char* things[] = {"a red ball", "a big dog", "a small cat", "a blue car"};
  const fs::path path = fs::path(dir) / "tiny.jsonl";
  std::ofstream out(path);
  for (int i = 0; i < 8; ++i) {
    nlohmann::json docs = nlohmann::json::array();
    for (int d = 0; d < 3; ++d)
      docs.push_back({{"title", "Story"},
                      {"text", std::string(names[(i + d) % 4]) + " had " + things[(i + 2 * d) % 4] + "."},
                      {"is_gold", d == 1}});
    out << nlohmann::json{{"id", i},
                          {"question", std::string("what did ") + names[(i + 1) % 4] + " have"},
                          {"answers", {things[(i + 2) % 4]}},
                          {"documents", docs}}
               .dump()
        << '\n';
  }
  return QString::fromStdString(path.string());
}

} // namespace

class TestCliLora : public QObject {
  Q_OBJECT
  QString dir_, run_;

private Q_SLOTS:
  void initTestCase() {
    dir_ = QString::fromStdString(tempDir("cli-lora"));
    run_ = dir_ + "/run";
    const QString data = writeDataset(dir_.toStdString());
    CliRun r = cli({"train",
                    "--model",
                    QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf")),
                    "--data",
                    data,
                    "--out",
                    run_,
                    "--steps",
                    "4",
                    "--batch",
                    "4",
                    "--lr",
                    "3e-2",
                    "--lora",
                    "4",
                    "--lora-targets",
                    "q,v,down",
                    "--threads",
                    "1",
                    "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
  }

  void runModelIsAPeftAdapter() {
    const fs::path model = fs::path(run_.toStdString()) / "model";
    QVERIFY(fs::exists(model / "adapter_config.json"));
    QVERIFY(!fs::exists(model / "model.safetensors"));
    const nlohmann::json config = readJson(model / "adapter_config.json");
    QCOMPARE(config["r"].get<int>(), 4);
    QCOMPARE(config["lora_alpha"].get<double>(), 8.0); // default 2 x r
    QCOMPARE(config["target_modules"], nlohmann::json({"q_proj", "v_proj", "down_proj"}));
    QCOMPARE(fs::canonical(config["base_model_name_or_path"].get<std::string>()),
             fs::canonical(fs::path(run_.toStdString()) / "base-model"));
    const nlohmann::json manifest = readJson(fs::path(run_.toStdString()) / "run.json");
    QCOMPARE(manifest["settings"]["lora"]["r"].get<int>(), 4);
    CliRun info = cli({"info", run_ + "/model", "--json"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.err));
    const nlohmann::json i = nlohmann::json::parse(info.out.toStdString());
    QCOMPARE(i["adapter"]["r"].get<int>(), 4);
    QCOMPARE(i["adapter"]["projections"].get<int>(), 3 * i["layers"].get<int>());
  }

  void everyFormOfTheModelGivesTheSameLogits() {
    const QString base = run_ + "/base-model";
    const at::Tensor trained = forward(dir_, run_ + "/model", {}, "trained");
    const at::Tensor onBase = forward(dir_, base, {"--adapter", run_ + "/model"}, "on-base");
    const at::Tensor merged =
        forward(dir_, base, {"--adapter", run_ + "/model", "--merge-adapter"}, "merged");
    const at::Tensor plain = forward(dir_, base, {}, "base");
    QVERIFY2(maxDiff(trained, plain) > 1e-2,
             "training moved nothing: the comparisons below would prove nothing");
    QCOMPARE(maxDiff(trained, onBase), 0.0);
    QVERIFY(maxDiff(trained, merged) <= 1e-4);

    const QString peft = dir_ + "/export-peft", mergedDir = dir_ + "/export-merged";
    CliRun e1 = cli({"export", run_, "--format", "peft", "--out", peft, "--json"});
    QVERIFY2(e1.exitCode == 0, qPrintable(e1.err));
    QCOMPARE(nlohmann::json::parse(e1.out.toStdString())["step"].get<int>(), 4);
    CliRun e2 = cli({"export", run_, "--format", "merged", "--out", mergedDir});
    QVERIFY2(e2.exitCode == 0, qPrintable(e2.err));
    QVERIFY(fs::exists(fs::path(mergedDir.toStdString()) / "tokenizer.model"));
    QVERIFY(fs::exists(fs::path(peft.toStdString()) / "poslab.json"));
    QVERIFY(maxDiff(trained, forward(dir_, base, {"--adapter", peft}, "peft")) <= 1e-5);
    QVERIFY(maxDiff(trained, forward(dir_, mergedDir, {}, "merged-export")) <= 1e-4);

    // The independent reference reads the exported adapter the same way.
    const QString script = QString::fromStdString(resourcePath("../tests/reference/lora_logits.py"));
    const QString refOut = dir_ + "/reference.safetensors";
    CliRun py = runProgram("/usr/bin/python3",
                           {script, "--base", base, "--adapter", peft, "--ids", kIds, "--out", refOut});
    QVERIFY2(py.exitCode == 0, qPrintable(py.err));
    const double d = maxDiff(trained, logitsFile(refOut.toStdString()));
    qInfo("PosLab vs the reference on the exported adapter: max |delta logit| %.3g", d);
    QVERIFY(d <= 1e-3);
  }

  void trainsBasePlusAdapter() {
    // The run's adapter folder as --model: its base with the adapter merged is fine-tuned.
    const QString data = dir_ + "/tiny.jsonl", next = dir_ + "/next";
    CliRun r = cli({"train", "--model", run_ + "/model", "--data", data, "--out", next, "--steps", "1",
                    "--batch", "2", "--threads", "1", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const nlohmann::json manifest = readJson(fs::path(next.toStdString()) / "run.json");
    QCOMPARE(fs::canonical(manifest["model"]["adapter"].get<std::string>()),
             fs::canonical(fs::path(run_.toStdString()) / "model"));
    QCOMPARE(fs::canonical(manifest["sources"]["model"].get<std::string>()),
             fs::canonical(fs::path(run_.toStdString()) / "base-model"));
    QVERIFY(fs::exists(fs::path(next.toStdString()) / "model" / "model.safetensors"));
    CliRun both = cli({"train", "--model", run_ + "/base-model", "--adapter", run_ + "/model", "--lora", "2",
                       "--data", data, "--out", dir_ + "/both", "--steps", "1"});
    QVERIFY(both.exitCode != 0);
    QVERIFY2(both.err.contains("--adapter") && both.err.contains("--lora"), qPrintable(both.err));
  }

  void exportRefusals() {
    CliRun hf = cli({"export", run_, "--format", "hf", "--out", dir_ + "/export-hf"});
    QVERIFY(hf.exitCode != 0);
    QVERIFY2(hf.err.contains("--format") && hf.err.contains("LoRA"), qPrintable(hf.err));
    CliRun again = cli({"export", run_, "--format", "peft", "--out", dir_ + "/export-peft"});
    QVERIFY(again.exitCode != 0);
    QVERIFY2(again.err.contains("--out") && again.err.contains("not an empty folder"), qPrintable(again.err));
    CliRun step = cli({"export", run_, "--format", "peft", "--step", "3", "--out", dir_ + "/export-step"});
    QVERIFY(step.exitCode != 0);
    QVERIFY2(step.err.contains("--step"), qPrintable(step.err));
    CliRun ok = cli({"export", run_, "--format", "peft", "--step", "4", "--out", dir_ + "/export-step4"});
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
  }
};

QTEST_GUILESS_MAIN(TestCliLora)
#include "test_cli_lora.moc"
