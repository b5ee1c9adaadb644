// LoRA training (settings.loraRank > 0) on a tiny random Llama: the adapted
// model starts equal to the base (B = 0), only the adapter changes (the base's
// weights stay bit-identical), the loss falls, checkpoints hold the adapter and
// its optimizer state only as a PEFT folder that loads back to the same logits,
// a run cancelled after 4 steps and resumed reproduces the uninterrupted one
// (f32 and bf16), and activation checkpointing gives the adapter its gradients.
#include "core/lora/PeftAdapter.h"
#include "core/train/ModelInitializer.h"
#include "core/train/ParameterNames.h"
#include "core/train/Trainer.h"
#include "core/util/Error.h"
#include "core/weights/SafetensorsFile.h"
#include "tests/train/TrainTestSupport.h"

#include <filesystem>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

TrainingSettings loraSettings() {
  TrainingSettings s;
  s.lr = 1e-2;
  s.warmupSteps = 1;
  s.totalSteps = 8;
  s.batchSize = 2;
  s.seed = 5;
  s.loraRank = 4;
  s.loraAlpha = 8;
  return s;
}

std::unique_ptr<LlamaModel> freshModel(uint64_t seed = 11) {
  return ModelInitializer::model(tinyConfig(false), seed, at::kFloat);
}

at::Tensor logitsOf(const LlamaModel& m) {
  at::NoGradGuard noGrad;
  const at::Tensor ids = at::arange(3, 15, at::kLong).unsqueeze(0);    // [1, 12]
  return m.forward({ids, at::arange(12, at::kLong).unsqueeze(0), {}}); // [1, 12, vocab]
}

double maxAdapterDiff(const LoraWeights& a, const LoraWeights& b) {
  double d = 0;
  for (size_t l = 0; l < a.layers.size(); ++l)
    for (size_t t = 0; t < kLoraTargets; ++t) {
      const LoraPair &x = a.layers[l][t], &y = b.layers[l][t];
      if (x.defined() != y.defined()) return 1e9;
      if (x.defined())
        d = std::max({d, maxAbsDiff(x.a.detach(), y.a.detach()), maxAbsDiff(x.b.detach(), y.b.detach())});
    }
  return d;
}

} // namespace

class TestLoraTrainer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void startsAtTheBaseAndTrainsOnlyTheAdapter() {
    auto model = freshModel(), untouched = freshModel();
    TrainingSettings s = loraSettings();
    s.loraTargets = {"q_proj", "v_proj", "down_proj"};
    s.totalSteps = 150; // enough for the toy task's loss to fall clearly
    s.lr = 3e-2;
    s.batchSize = 4;
    const std::string run = tempDir("lora-only");
    Trainer trainer(*model, toySequences(8), s, run);
    QVERIFY(trainer.adapter());
    QCOMPARE(model->adapter().get(), trainer.adapter().get());
    QVERIFY(maxAbsDiff(logitsOf(*model), logitsOf(*untouched)) == 0.0); // B = 0: the base exactly
    const TrainingOutcome out = trainer.run();
    // Means of the first and last 8 steps (a batch of 2 is noisy step to step).
    auto mean8 = [&](size_t from) {
      double m = 0;
      for (size_t i = from; i < from + 8; ++i)
        m += out.losses[i] / 8;
      return m;
    };
    const double first = mean8(0), last = mean8(out.losses.size() - 8);
    qInfo("loss, mean of 8 steps: %.4f -> %.4f", first, last);
    QVERIFY2(last < first - 0.3, qPrintable(QString("%1 -> %2").arg(first).arg(last)));
    // Only the adapter changed.
    auto a = ParameterNames::of(model->weights()), b = ParameterNames::of(untouched->weights());
    for (size_t i = 0; i < a.size(); ++i)
      QVERIFY2(at::equal(a[i].tensor->detach(), b[i].tensor->detach()), a[i].name.c_str());
    QVERIFY(maxAbsDiff(logitsOf(*model), logitsOf(*untouched)) > 1e-3);
    int adapted = 0;
    for (const auto& layer : model->adapter()->layers)
      for (const LoraPair& p : layer)
        if (p.defined()) {
          ++adapted;
          QVERIFY(p.b.abs().max().item<double>() > 0);
        }
    QCOMPARE(adapted, 3 * tinyConfig(false).numLayers);

    // The checkpoint: a PEFT adapter folder plus the adapter's optimizer state, no base weights.
    const fs::path cp(out.checkpoint);
    QVERIFY(fs::exists(cp / "adapter_model.safetensors"));
    QVERIFY(fs::exists(cp / "adapter_config.json"));
    QVERIFY(!fs::exists(cp / "model.safetensors"));
    SafetensorsFile opt((cp / "optimizer.safetensors").string());
    QCOMPARE(opt.tensors().size(), size_t(2 * 2 * adapted)); // exp_avg and exp_avg_sq of each A and B
    for (const TensorView& v : opt.tensors())
      QVERIFY2(v.name.find(".lora_") != std::string::npos, v.name.c_str());

    // It loads as an adapter on the base and gives the trained model's logits.
    LoadedAdapter loaded = PeftAdapter::load(cp.string(), *untouched);
    QCOMPARE(loaded.config.r, int64_t(4));
    QCOMPARE(loaded.config.scale(), 2.0);
    untouched->setAdapter(loaded.weights);
    QVERIFY(maxAbsDiff(logitsOf(*model), logitsOf(*untouched)) <= 1e-5);
    // Switched off, the trained model is its base again (the distill teacher).
    model->setAdapterEnabled(false);
    untouched->setAdapterEnabled(false);
    QVERIFY(maxAbsDiff(logitsOf(*model), logitsOf(*untouched)) == 0.0);
  }

  void resumeReproducesUninterruptedRun_data() {
    QTest::addColumn<QString>("dtype");
    QTest::newRow("f32") << "f32";
    QTest::newRow("bf16 (fp32 master adapter)") << "bf16";
  }
  void resumeReproducesUninterruptedRun() {
    QFETCH(QString, dtype);
    TrainingSettings s = loraSettings();
    s.dtype = dtype.toStdString();
    s.loraRsLora = true;
    auto straight = freshModel();
    Trainer full(*straight, toySequences(10), s, tempDir("lora-straight"));
    const TrainingOutcome whole = full.run();

    const std::string run = tempDir("lora-interrupted");
    std::atomic<bool> cancel{false};
    {
      auto model = freshModel();
      Trainer first(*model, toySequences(10), s, run);
      first.setCancelFlag(&cancel);
      first.setProgressCallback([&](const TrainingProgress& p) { cancel = p.step == 4; });
      QVERIFY(first.run().cancelled);
    }
    auto resumed = freshModel();
    Trainer second(*resumed, toySequences(10), s, run);
    QVERIFY(second.resume());
    QCOMPARE(second.step(), int64_t{4});
    const TrainingOutcome rest = second.run();
    QCOMPARE(rest.step, int64_t{8});
    double lossDiff = 0;
    for (size_t i = 0; i < 8; ++i)
      lossDiff = std::max(lossDiff, std::abs(whole.losses[i] - rest.losses[i]));
    const double d = maxAdapterDiff(*full.adapter(), *second.adapter());
    qInfo("%s: max |loss diff| %.3g, max |adapter diff| %.3g", qPrintable(dtype), lossDiff, d);
    QVERIFY(lossDiff <= 1e-6);
    QVERIFY(d <= 1e-6);
  }

  void activationCheckpointingReachesTheAdapter() {
    TrainingSettings plain = loraSettings();
    plain.totalSteps = 3;
    TrainingSettings recomputed = plain;
    recomputed.activationCheckpointing = true;
    auto a = freshModel(), b = freshModel();
    Trainer ta(*a, toySequences(8), plain, tempDir("lora-plain"));
    Trainer tb(*b, toySequences(8), recomputed, tempDir("lora-recomputed"));
    const TrainingOutcome oa = ta.run(), ob = tb.run();
    for (size_t i = 0; i < 3; ++i)
      QVERIFY(std::abs(oa.losses[i] - ob.losses[i]) <= 1e-6);
    const double d = maxAdapterDiff(*ta.adapter(), *tb.adapter());
    QVERIFY2(d <= 1e-6, qPrintable(QString::number(d)));
    QVERIFY(tb.adapter()->layers[0][0].b.abs().max().item<double>() > 0); // gradients arrived
  }

  void resumeRefusesOtherLoraSettings() {
    TrainingSettings s = loraSettings();
    s.totalSteps = 2;
    const std::string run = tempDir("lora-changed");
    {
      auto m = freshModel();
      Trainer(*m, toySequences(4), s, run).run();
    }
    s.loraRank = 8;
    auto m = freshModel();
    Trainer t(*m, toySequences(4), s, run);
    try {
      t.resume();
      QFAIL("a LoRA run resumed with another rank");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("settings.lora") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestLoraTrainer)
#include "test_lora_trainer.moc"
