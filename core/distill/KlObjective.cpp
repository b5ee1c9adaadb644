#include "core/distill/KlObjective.h"

#include "core/train/TargetLogits.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace poslab {

namespace {

TrainingSequence withResponse(const std::vector<int32_t>& prompt, const std::vector<int32_t>& response) {
  TrainingSequence s;
  s.ids = prompt;
  s.ids.insert(s.ids.end(), response.begin(), response.end());
  s.lossMask.assign(prompt.size(), 0);
  s.lossMask.resize(s.ids.size(), 1);
  return s;
}

} // namespace

KlObjective::Pairs KlObjective::teacherPairs(const DistillSet& set) {
  Pairs p;
  std::map<std::pair<std::vector<int32_t>, std::vector<int32_t>>, size_t> index;
  for (const DistillInstance& d : set.instances) {
    const auto key = std::make_pair(d.teacherPromptIds, d.responseIds);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, p.sequences.size()).first;
      p.sequences.push_back(withResponse(d.teacherPromptIds, d.responseIds));
    }
    p.ofInstance.push_back(it->second);
  }
  return p;
}

KlObjective::KlObjective(DistillSet set, std::vector<size_t> pairOfInstance,
                         std::shared_ptr<const TeacherDistributions> teacher, Weighting weighting,
                         double lambda)
    : set_(std::move(set)), pairOf_(std::move(pairOfInstance)), teacher_(std::move(teacher)),
      weighting_(weighting), lambda_(lambda) {
  if (set_.instances.empty()) fail(set_.path, "", "holds no instances");
  if (pairOf_.size() != set_.instances.size()) fail(set_.path, "teacher pairs", "one per instance expected");
  for (size_t i = 0; i < set_.instances.size(); ++i) {
    const DistillInstance& d = set_.instances[i];
    if (!d.isKl())
      fail(set_.where(i), "kind",
           "is \"sequence\"; method r1 trains KL instances (activation, anchor); sequence sets train with "
           "r2, sft or seqkd");
    students_.push_back(withResponse(d.studentPromptIds, d.responseIds));
  }
}

void KlObjective::check(const ModelConfig& config) const {
  set_.check(config.vocabSize, config.maxPositions);
}

KlObjective::TokenKl KlObjective::perToken(const LlamaModel& model,
                                           const std::vector<size_t>& instances) const {
  std::vector<const TrainingSequence*> batch;
  std::vector<size_t> pairs;
  for (size_t i : instances) {
    batch.push_back(&students_[i]);
    pairs.push_back(pairOf_[i]);
  }
  const TargetLogits s = TargetLogits::of(model, batch, false);
  const at::Tensor logT = teacher_->logProbs(pairs).to(s.logits.device()); // [N, vocab]
  const at::Tensor logS = at::log_softmax(s.logits, -1);                   // [N, vocab] fp32
  TokenKl out;
  out.perToken = (logT.exp() * (logT - logS)).sum(-1); // [N]
  out.row = s.row;
  out.tokens = s.tokens;
  return out;
}

RowLosses KlObjective::rows(const LlamaModel& model, const std::vector<size_t>& instances) const {
  const TokenKl k = perToken(model, instances);
  const auto n = static_cast<int64_t>(instances.size());
  std::vector<float> lengths;
  for (size_t i : instances)
    lengths.push_back(static_cast<float>(set_.instances[i].responseIds.size()));
  RowLosses out;
  out.values = at::zeros({n}, k.perToken.options()).index_add(0, k.row, k.perToken) /
               at::tensor(lengths).to(k.perToken.device()); // [n]: mean over each response
  out.tokens = k.tokens;
  out.targets = k.perToken.size(0);
  return out;
}

std::vector<double> KlObjective::factors(const std::vector<size_t>& batch,
                                         const std::vector<double>& values) const {
  std::vector<PositionWeighting::Row> rows;
  for (size_t j = 0; j < batch.size(); ++j) {
    const DistillInstance& d = set_.instances[batch[j]];
    rows.push_back({d.kind == InstanceKind::Anchor, d.bin(), values.empty() ? 0.0 : values[j]});
  }
  return PositionWeighting::factors(rows, weighting_, lambda_);
}

nlohmann::json KlObjective::stepMetrics(const std::vector<size_t>& batch, const std::vector<double>& values,
                                        const std::vector<double>& factors) const {
  std::map<int64_t, std::pair<double, size_t>> bins;
  double anchorSum = 0, wMin = INFINITY, wMax = -INFINITY, wSum = 0, wSq = 0;
  size_t anchors = 0, activations = 0;
  for (size_t j = 0; j < batch.size(); ++j) {
    const DistillInstance& d = set_.instances[batch[j]];
    if (d.kind == InstanceKind::Anchor) {
      anchorSum += values[j];
      ++anchors;
      continue;
    }
    auto& b = bins[d.bin()];
    b.first += values[j];
    ++b.second;
    ++activations;
    wMin = std::min(wMin, factors[j]);
    wMax = std::max(wMax, factors[j]);
    wSum += factors[j];
    wSq += factors[j] * factors[j];
  }
  nlohmann::json byPosition = nlohmann::json::object();
  for (const auto& [p, b] : bins)
    byPosition[std::to_string(p)] = b.first / static_cast<double>(b.second);
  nlohmann::json m = {{"kl_by_position", byPosition}};
  if (anchors) m["anchor_kl"] = anchorSum / static_cast<double>(anchors);
  if (activations) {
    const double mean = wSum / static_cast<double>(activations);
    m["weights"] = {{"min", wMin},
                    {"max", wMax},
                    {"mean", mean},
                    {"std", std::sqrt(std::max(0.0, wSq / static_cast<double>(activations) - mean * mean))}};
  }
  return m;
}

std::vector<std::vector<double>> KlObjective::tokenKl(const LlamaModel& model,
                                                      const std::vector<size_t>& instances) const {
  at::NoGradGuard noGrad;
  const TokenKl k = perToken(model, instances);
  const at::Tensor v = k.perToken.to(at::kCPU, at::kDouble).contiguous();
  std::vector<std::vector<double>> out;
  int64_t at = 0;
  for (size_t i : instances) {
    const auto n = static_cast<int64_t>(set_.instances[i].responseIds.size());
    out.emplace_back(v.data_ptr<double>() + at, v.data_ptr<double>() + at + n);
    at += n;
  }
  return out;
}

} // namespace poslab
