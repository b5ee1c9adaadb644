// poslab-cli's contract (DESIGN.md "Command line"): real models, JSON output,
// convert round trip, and one-line errors with a non-zero exit for bad input.
#include "core/weights/SafetensorsFile.h"
#include "tests/util/CliProcess.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QProcess>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

using Run = CliRun;

QString stories() {
  return QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf"));
}

QString nqOracle() {
  return QString::fromStdString(sharedPath("data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz"));
}

// The nested "data" of an attention array, checked against its "shape".
std::vector<double> flatData(const nlohmann::json& array, const std::vector<size_t>& shape) {
  if (array["shape"].get<std::vector<size_t>>() != shape) qFatal("attention array: unexpected shape");
  std::vector<double> out;
  std::function<void(const nlohmann::json&, size_t)> walk = [&](const nlohmann::json& j, size_t dim) {
    if (j.size() != shape[dim]) qFatal("attention array: data does not match its shape");
    for (const auto& x : j)
      dim + 1 == shape.size() ? out.push_back(x.get<double>()) : walk(x, dim + 1);
  };
  walk(array["data"], 0);
  return out;
}

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

} // namespace

class TestCli : public QObject {
  Q_OBJECT
  QString converted_;

private Q_SLOTS:
  void initTestCase() {
    converted_ = QString::fromStdString(tempDir("cli-convert")) + "/stories260K-hf";
    Run r = cli({"convert", stories(), "--out", converted_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"})
      QVERIFY2(fs::exists(fs::path(converted_.toStdString()) / f), f);
  }

  void infoReportsArchitecture() {
    Run r = cli({"info", stories(), "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    auto j = r.json();
    QCOMPARE(j["layers"].get<int>(), 5);
    QCOMPARE(j["heads"].get<int>(), 8);
    QCOMPARE(j["kv_heads"].get<int>(), 4);
    QCOMPARE(j["head_dim"].get<int>(), 8);
    QCOMPARE(j["vocab_size"].get<int>(), 512);
    QCOMPARE(j["hidden_size"].get<int>(), 64);
    QCOMPARE(j["context_length"].get<int>(), 2048);
    QCOMPARE(j["tokenizer"].get<std::string>(), std::string("gguf-spm"));
    QVERIFY(j["memory"]["weight_bytes"].get<int64_t>() > 1000000);
    Run text = cli({"info", stories()});
    QVERIFY(text.out.contains("kv heads 4"));
  }

  // The real trained model writes its TinyStories English greedily from BOS.
  void generatesCoherentEnglish() {
    Run r = cli({"generate", stories(), "--ids", "1", "--max-new-tokens", "30", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString text = QString::fromStdString(r.json()["text"].get<std::string>());
    QVERIFY2(text.startsWith("Once upon a time, there was a little girl named Lily"), qPrintable(text));
  }

  void convertedFolderGivesIdenticalIds() {
    for (const QStringList& args :
         {QStringList{"--ids", "1"}, QStringList{"--prompt", "The cat sat on the"}}) {
      Run a =
          cli(QStringList{"generate", stories()} + args + QStringList{"--max-new-tokens", "40", "--json"});
      Run b =
          cli(QStringList{"generate", converted_} + args + QStringList{"--max-new-tokens", "40", "--json"});
      QVERIFY2(a.exitCode == 0 && b.exitCode == 0, qPrintable(a.err + b.err));
      QCOMPARE(a.json()["ids"], b.json()["ids"]);
      QCOMPARE(a.json()["text"], b.json()["text"]);
    }
  }

  void convertedFolderTokenizesIdentically_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("plain") << "Once upon a time, there was a little girl.";
    QTest::newRow("spaces") << "  two  spaces\tand a tab\n";
    QTest::newRow("unicode") << "Äpfel 🦙 нещо";
    QTest::newRow("empty") << "";
  }
  void convertedFolderTokenizesIdentically() {
    QFETCH(QString, text);
    Run a = cli({"tokenize", stories(), "--text", text, "--json"});
    Run b = cli({"tokenize", converted_, "--text", text, "--json"});
    QVERIFY2(a.exitCode == 0 && b.exitCode == 0, qPrintable(a.err + b.err));
    QCOMPARE(a.json()["ids"], b.json()["ids"]);
    QCOMPARE(a.json()["ids"][0].get<int>(), 1); // BOS, as the GGUF says
  }

  // Llama-3.1 chat: the header ids of the real template around the user text.
  void chatTokenizeUsesTheTemplate() {
    const QString tok = QString::fromStdString(fixturePath("llama3-tokenizer"));
    Run r = cli({"tokenize", tok, "--text", "Hi", "--chat-template", "llama3", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto ids = r.json()["ids"].get<std::vector<int>>();
    QVERIFY(ids.size() > 8);
    QCOMPARE(ids[0], 128000);              // <|begin_of_text|>
    QCOMPARE(ids[1], 128006);              // <|start_header_id|>
    QCOMPARE(ids[ids.size() - 1], 271);    // "\n\n" after the assistant header
    QCOMPARE(ids[ids.size() - 2], 128007); // <|end_header_id|>
    Run none = cli({"tokenize", stories(), "--text", "Hi", "--chat"});
    QVERIFY(none.exitCode != 0);
    QVERIFY2(none.err.contains("chat_template"), qPrintable(none.err));
  }

  void forwardWritesLogits() {
    const std::string dir = tempDir("cli-forward");
    const QString fa = QString::fromStdString(dir + "/a.safetensors"),
                  fb = QString::fromStdString(dir + "/b.safetensors");
    QCOMPARE(cli({"forward", stories(), "--ids", "1,403,407", "--out", fa}).exitCode, 0);
    QCOMPARE(cli({"forward", converted_, "--ids", "1,403,407", "--out", fb}).exitCode, 0);
    SafetensorsFile a(fa.toStdString()), b(fb.toStdString());
    const TensorView* la = a.find("logits");
    QVERIFY(la);
    QCOMPARE(la->shape, (std::vector<int64_t>{3, 512}));
    QCOMPARE(la->dtype, DType::F32);
    const auto* pa = reinterpret_cast<const float*>(la->data);
    const auto* pb = reinterpret_cast<const float*>(b.find("logits")->data);
    for (int i = 0; i < 3 * 512; ++i)
      QVERIFY(std::abs(pa[i] - pb[i]) < 1e-5f);
  }

  // DESIGN.md: poslab-cli attention --model M --data F --example I --gold-pos P --out F.json,
  // in the layout of docs/ATTENTION-FORMAT.md, on the real model and data.
  void attentionWritesProfile() {
    const QString out = QString::fromStdString(tempDir("cli-attention") + "/one.json");
    Run r = cli({"attention", "--model", stories(), "--data", nqOracle(), "--random-distractors", "5",
                 "--example", "1", "--gold-pos", "2", "--query", "question", "--token-matrix", "1,3", "--out",
                 out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto j = nlohmann::json::parse(fileBytes(out.toStdString()));
    QCOMPARE(j["format"].get<std::string>(), std::string("poslab-attention-profile"));
    QCOMPARE(j["gold_position"].get<int>(), 2);
    QCOMPARE(j["data"]["metadata"]["distractors"].get<std::string>(), std::string("random"));
    const auto& p = j["profile"];
    QCOMPARE(p["query"].get<std::string>(), std::string("question"));
    QCOMPARE(p["gold_index"].get<int>(), 2);
    QCOMPARE(p["document_ranges"].size(), size_t(5));
    const std::vector<double> mass = flatData(p["mass"], {5, 8, 5});
    const std::vector<double> outside = flatData(p["outside_mass"], {5, 8});
    for (size_t lh = 0; lh < 40; ++lh) {
      double sum = outside[lh];
      for (size_t d = 0; d < 5; ++d)
        sum += mass[lh * 5 + d];
      QVERIFY2(std::abs(sum - 1.0) < 1e-4, qPrintable(QString::number(sum)));
    }
    QCOMPARE(flatData(p["sink_share"], {5}).size(), size_t(5));
    QCOMPARE(flatData(p["mass_over_layers_and_heads"], {5}).size(), size_t(5));
    const auto& rows = p["query_rows"];
    const size_t q0 = rows[0].get<size_t>(), q1 = rows[1].get<size_t>();
    QVERIFY(q1 > q0);
    const auto& t = j["token_matrix"];
    QCOMPARE(t["layer"].get<int>(), 1);
    QCOMPARE(t["head"].get<int>(), 3);
    QCOMPARE(t["heads"].get<std::string>(), std::string("head"));
    const std::vector<double> w = flatData(t["weights"], {q1 - q0, q1});
    QCOMPARE(t["pieces"].size(), q1);
    for (size_t row = 0; row < q1 - q0; ++row) {
      double sum = 0;
      for (size_t k = 0; k < q1; ++k)
        sum += w[row * q1 + k];
      QVERIFY(std::abs(sum - 1.0) < 1e-4);
    }
  }

  void attentionAggregatesOverPositions() {
    const QString out = QString::fromStdString(tempDir("cli-attention-agg") + "/matrix.json");
    Run r = cli({"attention", "--aggregate", "--examples", "2", "--model", stories(), "--data", nqOracle(),
                 "--random-distractors", "3", "--prompt-template", "qa-query-aware", "--out", out});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // The progress bar: prompts done of 2 examples x 3 positions, with an ETA.
    QVERIFY2(r.err.contains("6/6") && r.err.contains("ETA"), qPrintable(r.err));
    const auto j = nlohmann::json::parse(fileBytes(out.toStdString()));
    QCOMPARE(j["format"].get<std::string>(), std::string("poslab-attention-matrix"));
    QCOMPARE(j["settings"]["prompt_template"].get<std::string>(),
             std::string("qa_with_query_aware_contextualization.prompt"));
    const auto& m = j["matrix"];
    QCOMPARE(m["counts"].get<std::vector<int>>(), (std::vector<int>{2, 2, 2}));
    const std::vector<double> avg = flatData(m["mass"], {3, 3});
    const std::vector<double> perLayer = flatData(m["mass_per_layer"], {5, 3, 3});
    const std::vector<double> outside = flatData(m["outside_mass_per_layer"], {5, 3});
    flatData(m["sink_share_per_layer"], {5, 3});
    // per layer and position: documents + outside = 1; the average is the layers' mean
    for (size_t p = 0; p < 3; ++p) {
      for (size_t l = 0; l < 5; ++l) {
        double sum = outside[l * 3 + p];
        for (size_t d = 0; d < 3; ++d)
          sum += perLayer[(l * 3 + d) * 3 + p];
        QVERIFY(std::abs(sum - 1.0) < 1e-4);
      }
      for (size_t d = 0; d < 3; ++d) {
        double mean = 0;
        for (size_t l = 0; l < 5; ++l)
          mean += perLayer[(l * 3 + d) * 3 + p] / 5;
        QVERIFY(std::abs(mean - avg[d * 3 + p]) < 1e-6);
      }
    }
  }

  void helpForEveryCommand_data() {
    QTest::addColumn<QString>("command");
    for (const char* c :
         {"info", "tokenize", "forward", "generate", "convert", "bench", "sweep", "compare", "attention"})
      QTest::newRow(c) << c;
  }
  void helpForEveryCommand() {
    QFETCH(QString, command);
    Run r = cli(command.split(' ') + QStringList{"--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Usage"));
  }

  // Bad input: a one-line error naming the file (and the field), non-zero exit.
  void badInputGivesOneLineError_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mustMention");
    const std::string dir = tempDir("cli-bad");
    const std::string good = fileBytes(sharedPath("models/stories260K/stories260K.gguf"));
    writeFile(dir + "/truncated.gguf", good.substr(0, 5000));
    std::string patched = good;
    patched[4] = 9; // version 9
    writeFile(dir + "/version.gguf", patched);
    writeFile(dir + "/pytorch_model.bin", "PK\x03\x04 pickle");
    fs::create_directories(dir + "/pickle");
    writeFile(dir + "/pickle/pytorch_model.bin", "PK\x03\x04 pickle");
    writeFile(dir + "/pickle/config.json", "{}");
    // A Hugging Face folder whose config lacks a key, and one with an unknown architecture.
    const std::string fx = fixturePath("llama_basic");
    for (const char* name : {"nokey", "arch", "shape", "badjson", "notok"}) {
      fs::create_directories(dir + "/" + name);
      fs::copy_file(fx + "/model.safetensors", dir + "/" + name + "/model.safetensors");
    }
    nlohmann::json config = nlohmann::json::parse(fileBytes(fx + "/config.json"));
    nlohmann::json nokey = config;
    nokey.erase("hidden_size");
    writeFile(dir + "/nokey/config.json", nokey.dump());
    nlohmann::json arch = config;
    arch["architectures"] = {"GPT2LMHeadModel"};
    writeFile(dir + "/arch/config.json", arch.dump());
    nlohmann::json shape = config;
    shape["intermediate_size"] = config["intermediate_size"].get<int>() + 8;
    writeFile(dir + "/shape/config.json", shape.dump());
    writeFile(dir + "/badjson/config.json", "{\"hidden_size\": ");
    writeFile(dir + "/notok/config.json", config.dump());
    const QString d = QString::fromStdString(dir);
    QTest::newRow("missing path") << QStringList{"info", d + "/nope.gguf"} << "nope.gguf";
    QTest::newRow("truncated gguf") << QStringList{"info", d + "/truncated.gguf"} << "truncated.gguf";
    QTest::newRow("gguf version") << QStringList{"info", d + "/version.gguf"} << "version";
    QTest::newRow("pickle file") << QStringList{"info", d + "/pytorch_model.bin"} << "pickle";
    QTest::newRow("pickle folder") << QStringList{"info", d + "/pickle"} << "pickle";
    QTest::newRow("config key") << QStringList{"info", d + "/nokey"} << "hidden_size";
    QTest::newRow("architecture") << QStringList{"info", d + "/arch"}
                                  << "unsupported architecture GPT2LMHeadModel";
    QTest::newRow("shape") << QStringList{"forward", d + "/shape", "--ids",
                                          "1",       "--out",      d + "/x.safetensors"}
                           << "mlp.gate_proj.weight";
    QTest::newRow("bad json") << QStringList{"info", d + "/badjson"} << "config.json";
    QTest::newRow("no tokenizer") << QStringList{"generate", d + "/notok", "--prompt", "hi"} << "tokenizer";
    QTest::newRow("id out of range") << QStringList{"forward", stories(), "--ids",
                                                    "1,99999", "--out",   d + "/y.safetensors"}
                                     << "99999";
    QTest::newRow("bad ids") << QStringList{"forward", stories(), "--ids",
                                            "1,x",     "--out",   d + "/y.safetensors"}
                             << "--ids";
    QTest::newRow("dtype") << QStringList{"forward", stories(), "--ids", "1",
                                          "--dtype", "f8",      "--out", d + "/z.st"}
                           << "dtype";
    QTest::newRow("f16 on cpu") << QStringList{"forward", stories(), "--ids", "1",
                                               "--dtype", "f16",     "--out", d + "/z.st"}
                                << "f16";
    const QStringList att = {"attention", "--model",  stories(),
                             "--data",    nqOracle(), "--random-distractors",
                             "3",         "--out",    d + "/a.json"};
    QTest::newRow("attention gold position") << att + QStringList{"--gold-pos", "3"} << "position";
    QTest::newRow("attention no gold position") << att << "--gold-pos";
    QTest::newRow("attention query") << att + QStringList{"--gold-pos", "0", "--query", "middle"}
                                     << "--query";
    QTest::newRow("attention token matrix")
        << att + QStringList{"--gold-pos", "0", "--token-matrix", "9,0"} << "token matrix";
    QTest::newRow("attention token matrix syntax")
        << att + QStringList{"--gold-pos", "0", "--token-matrix", "1"} << "--token-matrix";
    QTest::newRow("attention token matrix reduction")
        << att + QStringList{"--gold-pos", "0", "--token-matrix", "1,avg"} << "--token-matrix";
    QTest::newRow("attention example")
        << att + QStringList{"--gold-pos", "0", "--example", "999999"} << "--example";
    QTest::newRow("convert into non-empty") << QStringList{"convert", stories(), "--out", d} << "not empty";
  }
  void badInputGivesOneLineError() {
    QFETCH(QStringList, args);
    QFETCH(QString, mustMention);
    Run r = cli(args);
    QVERIFY2(r.exitCode != 0, qPrintable(r.out));
    const QString err = r.err.trimmed();
    QVERIFY2(!err.isEmpty() && !err.contains('\n'), qPrintable(err));
    QVERIFY2(err.contains(mustMention), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
