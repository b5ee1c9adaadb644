// Pos2Distill's objective (METHOD.md §2b) against the independent Python
// reference (tests/reference/make_distill_reference.py): per-instance and
// per-token KL, the three weightings with two lambdas, the loss, the
// cross-entropy of sequence instances, and gradients of both losses with
// respect to several student weights, all to relative 1e-4 in fp32.
#include "core/distill/KlObjective.h"
#include "core/model/ModelLoader.h"
#include "core/train/CrossEntropyObjective.h"
#include "core/train/ParameterNames.h"
#include "core/util/JsonFile.h"
#include "tests/train/TrainTestSupport.h"

#include <QtTest/QtTest>

using namespace poslab;
using namespace poslab::test;

namespace {

std::string ref(const std::string& rel) {
  return fixturePath("distill_reference/" + rel);
}

double relDiff(double a, double b) {
  return std::abs(a - b) / std::max(std::abs(b), 1e-6);
}

// The student's weights as trainable fp32 leaves (the loader may map files read-only).
std::unique_ptr<LlamaModel> trainableStudent() {
  LoadedModel m = ModelLoader::load(ref("student"), at::kFloat, at::kCPU);
  for (const NamedTensor& n : ParameterNames::of(m.model->weights()))
    *n.tensor = n.tensor->detach().clone().requires_grad_(true);
  return std::move(m.model);
}

// d loss / d <HF name> from our fused parameters: q_proj is the first rows of qkv_proj.
at::Tensor gradientOf(LlamaModel& model, const std::string& name) {
  ModelWeights& w = model.weights();
  if (name == "model.layers.0.self_attn.q_proj.weight")
    return w.layers[0].wqkv.grad().narrow(0, 0, w.layers[0].qRows);
  if (name == "model.layers.1.mlp.down_proj.weight") return w.layers[1].wDown.grad();
  if (name == "model.embed_tokens.weight") return w.embed.grad();
  if (name == "lm_head.weight") return w.lmHead.grad();
  if (name == "model.norm.weight") return w.finalNorm.grad();
  qFatal("no gradient mapping for %s", name.c_str());
}

double maxRelGradDiff(const at::Tensor& ours, const at::Tensor& theirs) {
  return ((ours - theirs).abs().max() / theirs.abs().max()).item<double>();
}

} // namespace

class TestKlObjective : public QObject {
  Q_OBJECT
  nlohmann::json expected_;
  std::unique_ptr<LlamaModel> teacher_;

private Q_SLOTS:
  void initTestCase() {
    at::set_num_threads(1);
    expected_ = JsonFile::readObject(ref("expected.json"));
    teacher_ = ModelLoader::load(ref("teacher"), at::kFloat, at::kCPU).model;
  }

  void klWeightingsLossAndGradients_data() {
    QTest::addColumn<QString>("weighting");
    QTest::addColumn<double>("lambda");
    for (const char* w : {"paper", "code", "uniform"})
      for (double lambda : {1.0, 0.5})
        QTest::newRow(qPrintable(QString("%1, lambda %2").arg(w).arg(lambda))) << QString(w) << lambda;
  }
  void klWeightingsLossAndGradients() {
    QFETCH(QString, weighting);
    QFETCH(double, lambda);
    DistillSet set = DistillSet::read(ref("r1-set.jsonl"));
    KlObjective::Pairs pairs = KlObjective::teacherPairs(set);
    QCOMPARE(pairs.sequences.size(), size_t(4)); // one (teacher prompt, response) per question
    auto teacher = std::make_shared<TeacherDistributions>(*teacher_, pairs.sequences,
                                                          TeacherDistributions::Mode::Cached, 3);
    const KlObjective objective(set, pairs.ofInstance, teacher,
                                PositionWeighting::parse(weighting.toStdString(), "weighting"), lambda);
    auto student = trainableStudent();
    objective.check(student->config());

    std::vector<size_t> all(objective.size());
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = i;
    const RowLosses rows = objective.rows(*student, all); // [n], with gradient
    QCOMPARE(rows.values.size(0), int64_t(all.size()));
    std::vector<double> kl;
    for (int64_t i = 0; i < rows.values.size(0); ++i)
      kl.push_back(rows.values[i].item<double>());

    double worstKl = 0, worstToken = 0, worstFactor = 0;
    const auto& wantKl = expected_["kl"];
    const auto tokens = objective.tokenKl(*student, all);
    for (size_t i = 0; i < all.size(); ++i) {
      worstKl = std::max(worstKl, relDiff(kl[i], wantKl[i].get<double>()));
      for (size_t t = 0; t < tokens[i].size(); ++t)
        worstToken = std::max(worstToken, relDiff(tokens[i][t], expected_["token_kl"][i][t].get<double>()));
      QCOMPARE(tokens[i].size(), expected_["token_kl"][i].size());
    }
    const std::string key = weighting.toStdString() + "/" + (lambda == 1.0 ? "1.0" : "0.5");
    const auto& want = expected_["weightings"][key];
    const std::vector<double> f = objective.factors(all, kl);
    double loss = 0;
    for (size_t i = 0; i < f.size(); ++i) {
      worstFactor = std::max(worstFactor, std::abs(f[i] - want["factors"][i].get<double>()));
      loss += f[i] * kl[i];
    }
    const double lossDiff = relDiff(loss, want["loss"].get<double>());
    qInfo("%s: max rel diff KL %.2e, token KL %.2e, loss %.2e; max |factor diff| %.2e", key.c_str(), worstKl,
          worstToken, lossDiff, worstFactor);
    QVERIFY(worstKl <= 1e-4);
    QVERIFY(worstToken <= 1e-4);
    QVERIFY(worstFactor <= 1e-4);
    QVERIFY(lossDiff <= 1e-4);

    if (key != "paper/0.5") return; // the reference's gradients are of this loss
    (rows.values * at::tensor(f, at::kDouble).to(at::kFloat)).sum().backward();
    const TensorFile grads(ref("grads.safetensors"));
    for (const auto& name : expected_["grad_names"]) {
      const double d =
          maxRelGradDiff(gradientOf(*student, name), grads.get("paper_" + name.get<std::string>()));
      qInfo("  d loss / d %s: max diff %.2e of the largest entry", name.get<std::string>().c_str(), d);
      QVERIFY2(d <= 1e-4, qPrintable(QString::fromStdString(name.get<std::string>())));
    }
  }

  void crossEntropyOfSequenceInstances() {
    const DistillSet set = DistillSet::read(ref("seq-set.jsonl"));
    std::vector<TrainingSequence> seqs;
    for (const DistillInstance& d : set.instances) {
      TrainingSequence s;
      s.ids = d.studentPromptIds;
      s.ids.insert(s.ids.end(), d.responseIds.begin(), d.responseIds.end());
      s.lossMask.assign(d.studentPromptIds.size(), 0);
      s.lossMask.resize(s.ids.size(), 1);
      seqs.push_back(s);
    }
    const CrossEntropyObjective objective(seqs, false);
    auto student = trainableStudent();
    std::vector<size_t> all(objective.size());
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = i;
    const RowLosses rows = objective.rows(*student, all);
    const std::vector<double> f = objective.factors(all, {});
    at::Tensor loss = (rows.values * at::tensor(f, at::kDouble).to(at::kFloat)).sum();
    const double diff = relDiff(loss.item<double>(), expected_["ce_loss"].get<double>());
    loss.backward();
    const TensorFile grads(ref("grads.safetensors"));
    double worst = 0;
    for (const auto& name : expected_["grad_names"])
      worst = std::max(
          worst, maxRelGradDiff(gradientOf(*student, name), grads.get("ce_" + name.get<std::string>())));
    qInfo("cross-entropy: loss rel diff %.2e, gradients max diff %.2e of the largest entry", diff, worst);
    QVERIFY(diff <= 1e-4);
    QVERIFY(worst <= 1e-4);
  }

  // The rule the reference's data cannot reach: a bin whose max KL is 0 contributes 0.
  void binWithZeroMaxContributesNothing() {
    const std::vector<PositionWeighting::Row> rows = {
        {false, 3, 0.0}, {false, 3, 0.0}, {false, 5, 2.0}, {true, 0, 1.0}};
    for (Weighting w : {Weighting::Paper, Weighting::Code}) {
      const auto f = PositionWeighting::factors(rows, w, 1.0);
      QCOMPARE(f[0], 0.0);
      QCOMPARE(f[1], 0.0);
      QVERIFY(f[2] > 0);
    }
    // paper: s over bins {3: mean 0, 5: mean 2}; the bin-5 row is its own max.
    const auto paper = PositionWeighting::factors(rows, Weighting::Paper, 1.0);
    QVERIFY(std::abs(paper[2] - std::exp(2.0) / (1 + std::exp(2.0))) < 1e-12);
    QCOMPARE(paper[3], 1.0);
  }
};

QTEST_GUILESS_MAIN(TestKlObjective)
#include "test_kl_objective.moc"
