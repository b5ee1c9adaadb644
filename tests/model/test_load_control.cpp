// LoadControl on the reference fixtures (tests/reference): a model load reports
// its progress in stored bytes, ends at done == total, and stops at the next
// tensor when its cancel flag is raised (Engine::open returns nullptr, the
// tensors loaded so far are freed); without a control nothing changes.
#include "core/engine/Engine.h"
#include "core/model/ModelLoader.h"
#include "core/model/WeightAdapter.h"
#include "core/weights/WeightSource.h"
#include "tests/model/ModelTestSupport.h"

#include <QElapsedTimer>

using namespace poslab;
using namespace poslab::test;

namespace {

struct Progress {
  uint64_t done;
  uint64_t total;
};

const LoadOptions kOptions{"cpu", "f32", 1, "", false};

// Every fixture stores exactly the tensors the adapter reads (tied ones have no
// lm_head), so a load reads all of them.
uint64_t storedBytes(const WeightSource& source) {
  uint64_t sum = 0;
  for (const TensorView& t : source.tensors())
    sum += t.nbytes;
  return sum;
}

// "gguf_f32/model.gguf" -> "gguf_f32": where the fixture's golden data lies.
std::string goldenName(const std::string& fixture) {
  return fixture.substr(0, fixture.find('/'));
}

std::vector<int32_t> goldenIds(const std::string& fixture) {
  const at::Tensor ids = Golden(goldenName(fixture)).get("ids_0"); // [T]
  return std::vector<int32_t>(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
}

// How many tensors share the mapping of the source's first tensor (the
// zero-copy f32 tensors each hold it while they live).
long mappingUsers(const WeightSource& source) {
  return source.mappingOf(source.tensors().front()).use_count() - 1; // minus the copy just made
}

} // namespace

class TestLoadControl : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void fixtures_data() {
    QTest::addColumn<QString>("fixture");
    for (const char* f : {"llama_basic", "llama_sharded", "llama_bf16", "tied", "qwen2_bias", "gqa",
                          "gguf_f32/model.gguf", "gguf_q8_0/model.gguf"})
      QTest::newRow(f) << f;
  }

  // (0, total) first, then one call per tensor with strictly growing bytes, the
  // last at done == total == every stored byte of the source.
  void progressCountsEveryStoredByte_data() { fixtures_data(); }
  void progressCountsEveryStoredByte() {
    QFETCH(QString, fixture);
    const std::string path = fixturePath(fixture.toStdString());
    const auto source = WeightSource::open(path);
    std::vector<Progress> calls;
    LoadControl control;
    control.progress = [&](uint64_t done, uint64_t total) { calls.push_back({done, total}); };
    const auto engine = Engine::open(path, kOptions, control);
    QVERIFY(engine);
    QCOMPARE(calls.size(), source->tensors().size() + 1);
    const uint64_t total = storedBytes(*source);
    QCOMPARE(calls.front().done, uint64_t(0));
    for (size_t i = 0; i < calls.size(); ++i) {
      QCOMPARE(calls[i].total, total);
      if (i > 0) QVERIFY2(calls[i].done > calls[i - 1].done, qPrintable(QString("call %1").arg(i)));
    }
    QCOMPARE(calls.back().done, total);
  }

  // A flag raised from the callback after the first tensor stops the load
  // before the second: nullptr, no further calls, nothing thrown.
  void cancelInsideProgressStopsAtNextTensor_data() { fixtures_data(); }
  void cancelInsideProgressStopsAtNextTensor() {
    QFETCH(QString, fixture);
    const std::string path = fixturePath(fixture.toStdString());
    std::atomic<bool> cancel{false};
    std::vector<Progress> calls;
    LoadControl control;
    control.cancel = &cancel;
    control.progress = [&](uint64_t done, uint64_t total) {
      calls.push_back({done, total});
      if (done > 0) cancel = true;
    };
    const auto engine = Engine::open(path, kOptions, control);
    QVERIFY(!engine);
    QCOMPARE(calls.size(), size_t(2)); // (0, total) and the first tensor
    QVERIFY(calls.back().done > 0);
    QVERIFY(calls.back().done < calls.back().total);
    qInfo("%s: stopped after byte %llu of %llu", qPrintable(fixture),
          static_cast<unsigned long long>(calls.back().done),
          static_cast<unsigned long long>(calls.back().total));
  }

  // The zero-copy tensors of an f32 load each hold their file's mapping: after a
  // load cancelled half-way the mapping has no more users than before, while a
  // finished load's weights do hold it (so the count can see a leak).
  void cancelledLoadFreesItsTensors() {
    const auto source = WeightSource::open(fixturePath("llama_basic"));
    const ModelConfig config = ModelLoader::readConfig(*source);
    const long before = mappingUsers(*source);
    {
      const std::optional<ModelWeights> all = WeightAdapter::load(*source, config, at::kFloat, at::kCPU);
      QVERIFY(all.has_value());
      QVERIFY2(mappingUsers(*source) > before, "loaded weights should hold the mapping");
    }
    QCOMPARE(mappingUsers(*source), before);

    std::atomic<bool> cancel{false};
    uint64_t stoppedAt = 0;
    LoadControl control;
    control.cancel = &cancel;
    control.progress = [&](uint64_t done, uint64_t total) {
      stoppedAt = done;
      if (done >= total / 2) cancel = true;
    };
    const std::optional<ModelWeights> half =
        WeightAdapter::load(*source, config, at::kFloat, at::kCPU, control);
    QVERIFY(!half.has_value());
    QVERIFY(stoppedAt > 0 && stoppedAt < storedBytes(*source));
    QCOMPARE(mappingUsers(*source), before);

    // ModelLoader hands back nothing at all, its own mappings included.
    cancel = false;
    control.progress = [&](uint64_t done, uint64_t) { cancel = done > 0; };
    const LoadedModel loaded = ModelLoader::load(fixturePath("llama_basic"), at::kFloat, at::kCPU, control);
    QVERIFY(!loaded.model);
    QVERIFY(!loaded.source);
  }

  // Raised before the call: nullptr at once, not a byte read, no callback.
  void flagRaisedBeforeReturnsAtOnce() {
    std::atomic<bool> cancel{true};
    int calls = 0;
    LoadControl control;
    control.cancel = &cancel;
    control.progress = [&](uint64_t, uint64_t) { ++calls; };
    QElapsedTimer clock;
    clock.start();
    QVERIFY(!Engine::open(fixturePath("llama_basic"), kOptions, control));
    QCOMPARE(calls, 0);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString("%1 ms").arg(clock.elapsed())));
  }

  // Raised once every tensor is in: the tokenizer is not loaded, nullptr still.
  void flagRaisedAfterLastTensorSkipsTheRest() {
    std::atomic<bool> cancel{false};
    LoadControl control;
    control.cancel = &cancel;
    control.progress = [&](uint64_t done, uint64_t total) { cancel = done == total; };
    QVERIFY(!Engine::open(sharedPath("models/stories260K/stories260K.gguf"), kOptions, control));
  }

  // No control, a control that never cancels, and a load after a cancelled one
  // all give the reference's logits, bit for bit the same.
  void withoutCancelTheModelIsUnchanged_data() { fixtures_data(); }
  void withoutCancelTheModelIsUnchanged() {
    QFETCH(QString, fixture);
    const std::string path = fixturePath(fixture.toStdString());
    const std::vector<int32_t> ids = goldenIds(fixture.toStdString());
    const std::vector<float> plain = Engine::open(path, kOptions)->logits(ids);
    const at::Tensor golden = Golden(goldenName(fixture.toStdString())).get("logits_0"); // [T, vocab]
    const at::Tensor ours = at::from_blob(const_cast<float*>(plain.data()), golden.sizes(), at::kFloat);
    QVERIFY2(maxAbsDiff(ours, golden) <= 1e-3, qPrintable(QString::number(maxAbsDiff(ours, golden))));

    std::atomic<bool> cancel{false};
    LoadControl control;
    control.cancel = &cancel;
    control.progress = [&](uint64_t done, uint64_t) { cancel = done > 0; };
    QVERIFY(!Engine::open(path, kOptions, control));
    cancel = false;
    control.progress = [](uint64_t, uint64_t) {};
    const auto watched = Engine::open(path, kOptions, control);
    QVERIFY(watched);
    QVERIFY(watched->logits(ids) == plain);
  }
};

QTEST_GUILESS_MAIN(TestLoadControl)
#include "test_load_control.moc"
