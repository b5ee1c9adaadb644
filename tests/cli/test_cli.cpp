// poslab-cli's contract (DESIGN.md "Command line"): real models, JSON output,
// convert round trip, and one-line errors with a non-zero exit for bad input.
#include "core/weights/SafetensorsFile.h"
#include "tests/util/CliProcess.h"
#include "tests/util/TestPaths.h"

#include <QProcess>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

using Run = CliRun;

QString stories() {
  return QString::fromStdString(sharedPath("models/stories260K/stories260K.gguf"));
}

void writeFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(fs::file_size(path), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return bytes;
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

  void helpForEveryCommand_data() {
    QTest::addColumn<QString>("command");
    for (const char* c : {"info", "tokenize", "forward", "generate", "convert", "bench", "sweep", "compare"})
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
    const std::string good = readFile(sharedPath("models/stories260K/stories260K.gguf"));
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
    nlohmann::json config = nlohmann::json::parse(readFile(fx + "/config.json"));
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
