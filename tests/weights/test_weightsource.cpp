// WeightSource: single-file and sharded Hugging Face folders, GGUF, and the
// refusals (missing shard, index/shard disagreement, pickles, bad paths).
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"
#include "core/weights/MappedFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "core/weights/WeightSource.h"
#include "tests/util/TestPaths.h"

#include <fstream>

using namespace poslab;

namespace {

template <typename F> QString errorOf(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return QString::fromStdString(e.what());
  }
  return QString();
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

const float kOnes[4] = {1, 1, 1, 1};

void writeShard(const std::string& path, const std::vector<std::string>& names) {
  std::vector<SafetensorsWriter::Entry> entries;
  for (const auto& n : names)
    entries.push_back({n, DType::F32, {2, 2}, kOnes, 16});
  SafetensorsWriter::write(path, entries);
}

// Two shards and an index; `mutate` may break one of them before the source is opened.
std::string shardedFolder(const std::string& name, const std::string& extraIndexEntry = "") {
  const auto dir = test::tempDir(name);
  writeShard(dir + "/model-00001-of-00002.safetensors", {"embed.weight", "layers.0.q.weight"});
  writeShard(dir + "/model-00002-of-00002.safetensors", {"layers.1.q.weight", "norm.weight"});
  writeText(dir + "/model.safetensors.index.json",
            R"({"metadata": {"total_size": 64}, "weight_map": {)"
            R"("embed.weight": "model-00001-of-00002.safetensors",)"
            R"("layers.0.q.weight": "model-00001-of-00002.safetensors",)"
            R"("layers.1.q.weight": "model-00002-of-00002.safetensors",)" +
                extraIndexEntry + R"("norm.weight": "model-00002-of-00002.safetensors"}})");
  return dir;
}

} // namespace

class TestWeightSource : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void singleFile() {
    const auto dir = test::tempDir("ws-single");
    writeShard(dir + "/model.safetensors", {"a", "b"});
    auto src = WeightSource::open(dir);
    QCOMPARE(src->kind(), WeightSource::Kind::HuggingFaceFolder);
    QCOMPARE(src->path(), dir);
    QCOMPARE(src->tensors().size(), size_t(2));
    QVERIFY(src->find("b"));
    QVERIFY(!src->find("c"));
    QVERIFY(!src->gguf());
    auto m = src->mappingOf(*src->find("a"));
    QVERIFY(m);
    QCOMPARE(m->path(), dir + "/model.safetensors");
  }

  void shardedWithIndex() {
    const auto dir = shardedFolder("ws-sharded");
    auto src = WeightSource::open(dir);
    QCOMPARE(src->tensors().size(), size_t(4));
    const TensorView* norm = src->find("norm.weight");
    QVERIFY(norm);
    QCOMPARE(norm->file, dir + "/model-00002-of-00002.safetensors");
    QCOMPARE(src->mappingOf(*norm)->path(), norm->file);
    QCOMPARE(src->mappingOf(*src->find("embed.weight"))->path(), dir + "/model-00001-of-00002.safetensors");
    TensorView stranger = *norm;
    const std::byte elsewhere[16] = {};
    stranger.data = elsewhere;
    QVERIFY(errorOf([&] { src->mappingOf(stranger); }).contains("does not belong to"));
  }

  void refusals_data() {
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("expectedFile"); // relative to the folder; the message must start with it
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing shard") << "missing shard"
                                   << "model.safetensors.index.json"
                                   << "weight_map: shard file(s) missing from the folder: "
                                      "'model-00002-of-00002.safetensors'";
    QTest::newRow("name missing from shard") << "name missing"
                                             << "model-00002-of-00002.safetensors"
                                             << "listed in model.safetensors.index.json but not stored here: "
                                                "'layers.9.q.weight'";
    QTest::newRow("duplicate across shards") << "duplicate"
                                             << "model-00002-of-00002.safetensors"
                                             << "tensor 'embed.weight': also stored in model-00001-of-00002";
    QTest::newRow("shard path escapes") << "escape"
                                        << "model.safetensors.index.json"
                                        << "shard \"../x.safetensors\" is not a plain file name";
    QTest::newRow("bad index JSON") << "bad index"
                                    << "model.safetensors.index.json"
                                    << "invalid JSON";
    QTest::newRow("pickle folder")
        << "pickle folder"
        << "pytorch_model.bin"
        << "pickle checkpoints are refused (they can execute code); convert to safetensors";
    QTest::newRow("pickle file") << "pickle file"
                                 << "model.pt"
                                 << "pickle checkpoints are refused";
    QTest::newRow("nonexistent") << "nonexistent"
                                 << "nope"
                                 << "no such file or folder";
    QTest::newRow("empty folder") << "empty"
                                  << ""
                                  << "no model.safetensors or model.safetensors.index.json";
    QTest::newRow("unknown file") << "unknown"
                                  << "weights.npz"
                                  << "not a model";
    QTest::newRow("corrupt shard") << "corrupt"
                                   << "model.safetensors"
                                   << "header: the file has 3 bytes";
  }
  void refusals() {
    QFETCH(QString, setup);
    QFETCH(QString, expectedFile);
    QFETCH(QString, expected);
    std::string dir = test::tempDir("ws-refuse");
    std::string target = dir;
    if (setup == "missing shard") {
      dir = shardedFolder("ws-missing");
      target = dir;
      std::filesystem::remove(dir + "/model-00002-of-00002.safetensors");
    } else if (setup == "name missing") {
      dir = shardedFolder("ws-name", R"("layers.9.q.weight": "model-00002-of-00002.safetensors",)");
      target = dir;
    } else if (setup == "duplicate") {
      dir = shardedFolder("ws-dup");
      target = dir;
      writeShard(dir + "/model-00002-of-00002.safetensors",
                 {"layers.1.q.weight", "norm.weight", "embed.weight"});
    } else if (setup == "escape") {
      dir = shardedFolder("ws-escape", R"("x": "../x.safetensors",)");
      target = dir;
    } else if (setup == "bad index") {
      writeText(dir + "/model.safetensors.index.json", "{\"weight_map\": ");
    } else if (setup == "pickle folder") {
      writeText(dir + "/pytorch_model.bin", "PK\x03\x04");
      writeText(dir + "/config.json", "{}");
    } else if (setup == "pickle file") {
      writeText(dir + "/model.pt", "PK");
      target = dir + "/model.pt";
    } else if (setup == "nonexistent") {
      target = dir + "/nope";
    } else if (setup == "unknown") {
      writeText(dir + "/weights.npz", "x");
      target = dir + "/weights.npz";
    } else if (setup == "corrupt") {
      writeText(dir + "/model.safetensors", "abc");
    }
    const QString err = errorOf([&] { WeightSource::open(target); });
    const std::string file = expectedFile.isEmpty() ? dir : dir + "/" + expectedFile.toStdString();
    QVERIFY2(err.startsWith(QString::fromStdString(file) + ": "), qPrintable(err));
    QVERIFY2(err.contains(expected), qPrintable(err));
  }

  void safetensorsBesidePickleIsUsed() {
    const auto dir = test::tempDir("ws-both");
    writeText(dir + "/pytorch_model.bin", "PK");
    writeShard(dir + "/model.safetensors", {"a"});
    QCOMPARE(WeightSource::open(dir)->tensors().size(), size_t(1));
  }

  void gguf() {
    const auto path = test::sharedPath("models/stories260K/stories260K.gguf");
    auto src = WeightSource::open(path);
    QCOMPARE(src->kind(), WeightSource::Kind::Gguf);
    QVERIFY(src->gguf());
    QCOMPARE(src->gguf()->integer("llama.block_count"), 5);
    QCOMPARE(src->tensors().size(), size_t(48));
    const TensorView* emb = src->find("token_embd.weight");
    QVERIFY(emb);
    QCOMPARE(src->mappingOf(*emb).get(), src->gguf()->mapping().get());
  }
};

QTEST_GUILESS_MAIN(TestWeightSource)
#include "test_weightsource.moc"
