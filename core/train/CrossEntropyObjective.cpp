#include "core/train/CrossEntropyObjective.h"

#include "core/train/TargetLogits.h"
#include "core/util/Error.h"

namespace poslab {

CrossEntropyObjective::CrossEntropyObjective(std::vector<TrainingSequence> sequences, bool allTokens,
                                             std::string source)
    : sequences_(std::move(sequences)), allTokens_(allTokens), source_(std::move(source)) {}

void CrossEntropyObjective::check(const ModelConfig& config) const {
  if (sequences_.empty()) fail(source_, "", "no training sequences");
  for (size_t i = 0; i < sequences_.size(); ++i) {
    const TrainingSequence& s = sequences_[i];
    const std::string field = "sequence " + std::to_string(i);
    if (s.lossMask.size() != s.ids.size())
      fail(source_, field, "loss mask length differs from the token count");
    for (int32_t id : s.ids)
      if (id < 0 || id >= config.vocabSize)
        fail(source_, field, "token id " + std::to_string(id) + " is outside the vocabulary");
    if (static_cast<int64_t>(s.ids.size()) > config.maxPositions)
      fail(source_, field,
           std::to_string(s.ids.size()) + " tokens exceed the model's context of " +
               std::to_string(config.maxPositions));
    if (TargetLogits::targetCount(s, allTokens_) == 0) fail(source_, field, "has no target token");
  }
}

RowLosses CrossEntropyObjective::rows(const LlamaModel& model, const std::vector<size_t>& instances) const {
  std::vector<const TrainingSequence*> batch;
  for (size_t i : instances)
    batch.push_back(&sequences_[i]);
  const TargetLogits t = TargetLogits::of(model, batch, allTokens_);
  const int64_t n = static_cast<int64_t>(instances.size());
  at::Tensor perToken = at::cross_entropy_loss(t.logits, t.targets, {}, at::Reduction::None); // [N]
  RowLosses out;
  out.values = at::zeros({n}, perToken.options()).index_add(0, t.row, perToken); // [n]
  out.tokens = t.tokens;
  out.targets = t.targets.size(0);
  return out;
}

std::vector<double> CrossEntropyObjective::factors(const std::vector<size_t>& batch,
                                                   const std::vector<double>& /*values*/) const {
  int64_t targets = 0;
  for (size_t i : batch)
    targets += TargetLogits::targetCount(sequences_[i], allTokens_);
  return std::vector<double>(batch.size(), 1.0 / static_cast<double>(targets));
}

} // namespace poslab
