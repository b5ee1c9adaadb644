// AdamW against torch.optim.AdamW (tests/reference/make_train_reference.py):
// four steps with a decayed and a no-decay group and changing learning rates,
// to 1e-6; and the state export/import round trip continuing identically.
#include "core/train/AdamW.h"
#include "core/train/GradientClipper.h"
#include "core/util/Error.h"
#include "tests/train/TrainTestSupport.h"

using namespace poslab;
using namespace poslab::test;

namespace {
const char* kNames[] = {"w", "g", "e"};
const bool kDecay[] = {true, false, true};

AdamW makeOptimizer(const TensorFile& ref) {
  std::vector<OptimizedParameter> params;
  for (int i = 0; i < 3; ++i)
    params.push_back({kNames[i], ref.get(std::string("init_") + kNames[i]), kDecay[i]});
  return AdamW(std::move(params), AdamW::Options{0.9, 0.95, 1e-8, 0.1});
}

void stepFromReference(AdamW& opt, const TensorFile& ref, int s) {
  std::vector<at::Tensor> grads;
  for (const char* n : kNames)
    grads.push_back(ref.get("clipped_" + std::to_string(s) + "_" + n));
  opt.step(grads, ref.get("lr")[s].item<double>());
}
} // namespace

class TestAdamW : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void matchesTorchEveryStep() {
    TensorFile ref(fixturePath("train_reference/adamw.safetensors"));
    AdamW opt = makeOptimizer(ref);
    double worst = 0;
    for (int s = 0; s < 4; ++s) {
      stepFromReference(opt, ref, s);
      for (size_t i = 0; i < 3; ++i) {
        const double d =
            maxAbsDiff(opt.parameters()[i].value, ref.get("param_" + std::to_string(s) + "_" + kNames[i]));
        QVERIFY2(d <= 1e-6,
                 qPrintable(QString("step %1 param %2: max |diff| %3").arg(s).arg(kNames[i]).arg(d)));
      }
    }
    qInfo("max |param - torch| over 4 steps: %.3g", worst);
    QCOMPARE(opt.steps(), int64_t{4});
    auto state = opt.stateTensors();
    for (const auto& [name, t] : state) {
      const std::string key =
          name.starts_with("exp_avg_sq.") ? "exp_avg_sq_" + name.substr(11) : "exp_avg_" + name.substr(8);
      QVERIFY2(maxAbsDiff(t, ref.get(key)) <= 1e-6, name.c_str());
    }
  }

  void noDecayGroupIsNotDecayed() {
    // With a zero gradient, only decay moves a parameter.
    OptimizedParameter a{"a", at::ones({2}), true}, b{"b", at::ones({2}), false};
    AdamW opt({a, b}, AdamW::Options{0.9, 0.95, 1e-8, 0.5});
    opt.step({at::zeros({2}), at::zeros({2})}, 0.1);
    QCOMPARE(opt.parameters()[0].value[0].item<float>(), 0.95f);
    QCOMPARE(opt.parameters()[1].value[0].item<float>(), 1.0f);
  }

  void stateRoundTripContinuesIdentically() {
    TensorFile ref(fixturePath("train_reference/adamw.safetensors"));
    AdamW first = makeOptimizer(ref);
    stepFromReference(first, ref, 0);
    stepFromReference(first, ref, 1);
    std::map<std::string, at::Tensor> saved;
    for (const auto& [name, t] : first.stateTensors())
      saved[name] = t.clone();
    std::vector<OptimizedParameter> params;
    for (const OptimizedParameter& p : first.parameters())
      params.push_back({p.name, p.value.clone(), p.decay});
    AdamW second(std::move(params), AdamW::Options{0.9, 0.95, 1e-8, 0.1});
    second.loadState(first.steps(), saved, "optimizer.safetensors");
    for (int s = 2; s < 4; ++s) {
      stepFromReference(first, ref, s);
      stepFromReference(second, ref, s);
    }
    for (size_t i = 0; i < 3; ++i)
      QVERIFY(at::equal(first.parameters()[i].value, second.parameters()[i].value));
  }

  void loadStateNamesMissingTensor() {
    TensorFile ref(fixturePath("train_reference/adamw.safetensors"));
    AdamW opt = makeOptimizer(ref);
    std::map<std::string, at::Tensor> partial;
    for (const auto& [name, t] : opt.stateTensors())
      if (name != "exp_avg_sq.e") partial[name] = t;
    try {
      opt.loadState(3, partial, "optimizer.safetensors");
      QFAIL("no error");
    } catch (const Error& e) {
      QCOMPARE(QString(e.what()), QString("optimizer.safetensors: tensor 'exp_avg_sq.e': missing"));
    }
  }
};

QTEST_GUILESS_MAIN(TestAdamW)
#include "test_adamw.moc"
