// Checkpoints: a checkpoint folder is a model ModelLoader opens with the
// trainer's exact logits; only the newest N are kept; `latest` names the
// newest; every damaged or missing piece is a one-line error naming the file
// and the field; a checkpoint damaged after it was written fails its manifest
// and resume falls back to the newest intact one.
#include "core/model/ModelLoader.h"
#include "core/train/CheckpointStore.h"
#include "core/train/ModelInitializer.h"
#include "core/train/Trainer.h"
#include "core/util/CheckpointPins.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "tests/train/TrainTestSupport.h"
#include "tests/util/FileBytes.h"

#include <filesystem>
#include <fstream>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

TrainingSettings settings(int steps) {
  TrainingSettings s;
  s.lr = 1e-3;
  s.totalSteps = steps;
  s.batchSize = 2;
  return s;
}

// A run of `steps` steps in a fresh folder; returns the folder.
std::string trainedRun(const std::string& name, int steps, int64_t every = 0, int64_t keep = 2) {
  const std::string run = tempDir(name);
  TrainingSettings s = settings(steps);
  s.checkpointEvery = every;
  s.keepCheckpoints = keep;
  auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
  Trainer(*model, toySequences(4), s, run).run();
  return run;
}

// A 3-step run (a checkpoint after each step, 3 kept) resumed and trained to its end.
struct Resumed {
  bool resumed = false;
  int64_t step = 0; // where it resumed
  std::vector<std::string> damaged;
};
Resumed resumeToTheEnd(const std::string& run) {
  auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
  TrainingSettings s = settings(3);
  s.checkpointEvery = 1;
  s.keepCheckpoints = 3;
  Trainer t(*model, toySequences(4), s, run);
  Resumed r;
  r.resumed = t.resume();
  r.step = t.step();
  r.damaged = t.damagedCheckpoints();
  t.run();
  return r;
}

QString resumeError(const std::string& run) {
  auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
  Trainer t(*model, toySequences(4), settings(2), run);
  try {
    t.resume();
  } catch (const Error& e) {
    return QString(e.what());
  }
  return "no error";
}

} // namespace

class TestCheckpointStore : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void checkpointIsALoadableModel() {
    const std::string run = tempDir("loadable");
    auto model = ModelInitializer::model(tinyConfig(true), 3, at::kFloat);
    Trainer t(*model, toySequences(4), settings(2), run);
    TrainingOutcome out = t.run();
    QCOMPARE(fs::path(out.checkpoint).filename().string(), std::string("step-000002"));
    LoadedModel loaded = ModelLoader::load(out.checkpoint, at::kFloat, at::kCPU);
    QCOMPARE(loaded.model->config().tieWordEmbeddings, true);
    at::NoGradGuard noGrad;
    at::Tensor ids = at::tensor(std::vector<int64_t>{1, 5, 9, 13, 2}).unsqueeze(0); // [1, 5]
    at::Tensor pos = at::arange(5, at::kLong).unsqueeze(0);
    at::Tensor want = model->forward({ids, pos, {}});
    at::Tensor got = loaded.model->forward({ids, pos, {}});
    QVERIFY(at::equal(want, got)); // f32 weights round-trip bit for bit
  }

  void keepsNewestAndPointsLatestAtIt() {
    const std::string run = trainedRun("keep", 5, 1, 2);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(fs::path(run) / "checkpoints"))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    QCOMPARE(names, (std::vector<std::string>{"latest", "step-000004", "step-000005"}));
    CheckpointStore store(run, 2);
    QCOMPARE(fs::path(*store.latest()).filename().string(), std::string("step-000005"));
    CheckpointStore::Loaded c = CheckpointStore::load(*store.latest());
    QCOMPARE(c.state.step, int64_t{5});
    QCOMPARE(c.state.losses.size(), size_t{5});
  }

  void pinnedCheckpointsAreNeitherPrunedNorCounted() {
    // Pinned in the GUI before the run reaches it: step 1 stays, and keep = 2
    // still keeps the two newest besides it.
    const std::string run = tempDir("pinned");
    fs::create_directories(fs::path(run) / "checkpoints");
    CheckpointPins::set(run, "step-000001", true);
    TrainingSettings s = settings(5);
    s.checkpointEvery = 1;
    s.keepCheckpoints = 2;
    auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
    Trainer(*model, toySequences(4), s, run).run();
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(fs::path(run) / "checkpoints"))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    QCOMPARE(names,
             (std::vector<std::string>{"latest", "pins.json", "step-000001", "step-000004", "step-000005"}));
    // Unpinned, it goes with the next prune like any other.
    CheckpointPins::set(run, "step-000001", false);
    QCOMPARE(CheckpointPins::read(run).size(), size_t{0});
  }

  void damagedPinsPruneNothing() {
    const std::string run = tempDir("pins-damaged");
    fs::create_directories(fs::path(run) / "checkpoints");
    std::ofstream(CheckpointPins::path(run)) << "{\"pinned\": [3]}";
    QVERIFY_THROWS_EXCEPTION(Error, CheckpointPins::read(run));
    TrainingSettings s = settings(4);
    s.checkpointEvery = 1;
    s.keepCheckpoints = 1;
    auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
    Trainer(*model, toySequences(4), s, run).run();
    int kept = 0;
    for (const auto& e : fs::directory_iterator(fs::path(run) / "checkpoints"))
      kept += e.path().filename().string().starts_with("step-");
    QCOMPARE(kept, 4); // a lost checkpoint cannot come back; an unread pin might have named it
  }

  void noCheckpointMeansNoResume() {
    auto model = ModelInitializer::model(tinyConfig(), 3, at::kFloat);
    Trainer t(*model, toySequences(4), settings(2), tempDir("empty"));
    QVERIFY(!t.resume());
  }

  void damagedPiecesNameFileAndField_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("message");
    QTest::newRow("trainer_state.json missing")
        << "rm-state"
        << "step-000002/trainer_state.json: missing from the checkpoint";
    QTest::newRow("trainer_state.json field missing") << "no-losses"
                                                      << "step-000002/trainer_state.json: losses: missing";
    QTest::newRow("optimizer.safetensors missing")
        << "rm-optimizer"
        << "step-000002/optimizer.safetensors: missing from the checkpoint";
    QTest::newRow("optimizer tensor missing")
        << "optimizer-tensor"
        << "step-000002/optimizer.safetensors: tensor 'exp_avg.model.norm.weight': missing";
    QTest::newRow("model.safetensors truncated") << "truncate-model"
                                                 << "step-000002/model.safetensors: ";
    QTest::newRow("latest names nothing") << "latest"
                                          << "checkpoints/latest: names step-000009, which does not exist";
    QTest::newRow("different data") << "sequence-count"
                                    << "step-000002/trainer_state.json: sequence_count: the checkpoint was "
                                       "trained on 5 instances, this run has 4";
  }
  void damagedPiecesNameFileAndField() {
    QFETCH(QString, damage);
    QFETCH(QString, message);
    const std::string run = trainedRun("damaged", 2);
    const fs::path dir = fs::path(run) / "checkpoints" / "step-000002";
    if (damage == "rm-state") fs::remove(dir / "trainer_state.json");
    if (damage == "rm-optimizer") fs::remove(dir / "optimizer.safetensors");
    if (damage == "no-losses" || damage == "sequence-count") {
      nlohmann::json j = JsonFile::readObject((dir / "trainer_state.json").string());
      if (damage == "no-losses") j.erase("losses");
      if (damage == "sequence-count") j["sequence_count"] = 5;
      JsonFile::write((dir / "trainer_state.json").string(), j);
    }
    if (damage == "optimizer-tensor") {
      // Rewrite the optimizer file without one moment.
      SafetensorsFile f((dir / "optimizer.safetensors").string());
      std::vector<at::Tensor> keep;
      std::vector<SafetensorsWriter::Entry> entries;
      for (const TensorView& v : f.tensors())
        if (v.name != "exp_avg.model.norm.weight") {
          keep.push_back(loadTensor(v, f.mapping(), at::kFloat).clone());
          entries.push_back({v.name, DType::F32, v.shape, keep.back().data_ptr(), keep.back().nbytes()});
        }
      SafetensorsWriter::write((dir / "optimizer.safetensors").string(), entries, f.metadata());
    }
    if (damage == "truncate-model")
      fs::resize_file(dir / "model.safetensors", fs::file_size(dir / "model.safetensors") / 2);
    if (damage == "latest") {
      std::ofstream(fs::path(run) / "checkpoints" / "latest") << "step-000009\n";
    }
    // As a checkpoint written before manifests: the loader's own checks speak.
    fs::remove(dir / "manifest.json");
    const QString error = resumeError(run);
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!error.contains('\n'));
  }

  // Damage after the fact (a truncated copy, changed bytes, a lost file) fails
  // the checkpoint's manifest; resume takes the newest earlier checkpoint that
  // passes, says so in an event, and the run then ends exactly as one never
  // interrupted.
  void manifestCatchesDamageAndResumeFallsBack_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("message");
    QTest::newRow("model truncated") << "truncate-model"
                                     << "step-000003/model.safetensors: bytes: ";
    QTest::newRow("optimizer byte flipped") << "flip-optimizer"
                                            << "step-000003/optimizer.safetensors: sha256: differs";
    QTest::newRow("state rewritten") << "rewrite-state"
                                     << "step-000003/trainer_state.json: sha256: differs";
    QTest::newRow("state lost") << "rm-state"
                                << "step-000003/trainer_state.json: listed in manifest.json";
    QTest::newRow("manifest unreadable") << "bad-manifest"
                                         << "step-000003/manifest.json";
  }
  void manifestCatchesDamageAndResumeFallsBack() {
    QFETCH(QString, damage);
    QFETCH(QString, message);
    const std::string straight = trainedRun("manifest-straight", 3, 1, 3);
    const std::string run = trainedRun("manifest-damaged", 3, 1, 3);
    const fs::path dir = fs::path(run) / "checkpoints" / "step-000003";
    CheckpointStore::verify(dir.string()); // intact as written
    if (damage == "truncate-model") fs::resize_file(dir / "model.safetensors", 100);
    if (damage == "flip-optimizer") {
      std::fstream f(dir / "optimizer.safetensors", std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(-5, std::ios::end);
      const char c = static_cast<char>(f.get() ^ 0x40);
      f.seekp(-5, std::ios::end);
      f.put(c);
    }
    if (damage == "rewrite-state") { // the same length, one field changed: only the hash can tell
      std::string text = fileBytes(dir / "trainer_state.json");
      const size_t at = text.find("\"step\": 3");
      QVERIFY(at != std::string::npos);
      text[at + 8] = '4';
      std::ofstream(dir / "trainer_state.json", std::ios::binary) << text;
    }
    if (damage == "rm-state") fs::remove(dir / "trainer_state.json");
    if (damage == "bad-manifest") std::ofstream(dir / "manifest.json") << "{\"files\": ";
    try {
      CheckpointStore::verify(dir.string());
      QFAIL("the damage passed the manifest");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(QString::fromStdString(message.toStdString())), e.what());
    }

    const Resumed r = resumeToTheEnd(run);
    QVERIFY(r.resumed);
    QCOMPARE(r.step, int64_t(2));
    QCOMPARE(r.damaged.size(), size_t(1));
    QVERIFY(QString::fromStdString(r.damaged[0]).contains(message));
    QCOMPARE(fileBytes(fs::path(run) / "checkpoints" / "step-000003" / "model.safetensors"),
             fileBytes(fs::path(straight) / "checkpoints" / "step-000003" / "model.safetensors"));
    CheckpointStore::verify(dir.string()); // rewritten whole
    std::ifstream events(fs::path(run) / "events.jsonl");
    bool noted = false;
    for (std::string line; std::getline(events, line);)
      noted = noted || nlohmann::json::parse(line)["event"] == "checkpoint_damaged";
    QVERIFY(noted);
  }

  // What a kill inside a checkpoint's write leaves: a half-written .tmp- folder
  // beside the intact checkpoints. Resume never looks at it; the next save removes it.
  void tornWriteIsIgnoredAndCleanedUp() {
    const std::string straight = trainedRun("torn-straight", 3, 1, 3);
    const std::string run = trainedRun("torn", 3, 1, 3);
    const fs::path checkpoints = fs::path(run) / "checkpoints";
    fs::remove_all(checkpoints / "step-000003");
    std::ofstream(checkpoints / "latest") << "step-000002\n";
    const fs::path torn = checkpoints / ".tmp-step-000003-99999";
    fs::create_directories(torn);
    fs::copy_file(checkpoints / "step-000002" / "model.safetensors", torn / "model.safetensors");
    fs::resize_file(torn / "model.safetensors", 1000);

    const Resumed r = resumeToTheEnd(run);
    QVERIFY(r.resumed);
    QCOMPARE(r.step, int64_t(2));
    QVERIFY(r.damaged.empty());
    QVERIFY(!fs::exists(torn));
    QCOMPARE(fileBytes(checkpoints / "step-000003" / "model.safetensors"),
             fileBytes(fs::path(straight) / "checkpoints" / "step-000003" / "model.safetensors"));
  }

  void noIntactCheckpointIsAnError() {
    const std::string run = trainedRun("all-damaged", 2, 1, 2);
    for (const char* step : {"step-000001", "step-000002"})
      fs::resize_file(fs::path(run) / "checkpoints" / step / "optimizer.safetensors", 10);
    const QString error = resumeError(run);
    QVERIFY2(error.contains("checkpoints/latest: no intact checkpoint left: 2 damaged, the newest: ") &&
                 error.contains("step-000002/optimizer.safetensors: bytes"),
             qPrintable(error));
  }
};

QTEST_GUILESS_MAIN(TestCheckpointStore)
#include "test_checkpoint_store.moc"
