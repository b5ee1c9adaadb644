#include "core/train/TargetLogits.h"

#include <algorithm>

namespace poslab {

int64_t TargetLogits::targetCount(const TrainingSequence& s, bool allTokens) {
  int64_t n = 0;
  for (size_t t = 1; t < s.ids.size(); ++t)
    n += (allTokens || s.lossMask[t]) ? 1 : 0;
  return n;
}

TargetLogits TargetLogits::of(const LlamaModel& model, const std::vector<const TrainingSequence*>& batch,
                              bool allTokens) {
  const int64_t B = static_cast<int64_t>(batch.size());
  size_t maxLen = 0;
  for (const TrainingSequence* s : batch)
    maxLen = std::max(maxLen, s->ids.size());
  const int64_t T = static_cast<int64_t>(maxLen);

  // Right padding needs no key mask: under the causal mask a real token only
  // sees tokens before it, and pads (id 0) come after every real token.
  at::Tensor ids = at::zeros({B, T}, at::kLong);
  auto idsA = ids.accessor<int64_t, 2>();
  std::vector<int64_t> source, target, row; // flat [b*T + t-1] predicts ids[b][t]
  TargetLogits out;
  for (int64_t b = 0; b < B; ++b) {
    const TrainingSequence& s = *batch[static_cast<size_t>(b)];
    for (size_t t = 0; t < s.ids.size(); ++t) {
      idsA[b][static_cast<int64_t>(t)] = s.ids[t];
      if (t > 0 && (allTokens || s.lossMask[t])) {
        source.push_back(b * T + static_cast<int64_t>(t) - 1);
        target.push_back(s.ids[t]);
        row.push_back(b);
      }
    }
    out.tokens += static_cast<int64_t>(s.ids.size());
  }
  const at::Device dev = model.device();
  out.targets = at::tensor(target, at::kLong).to(dev); // [N]
  out.row = at::tensor(row, at::kLong).to(dev);        // [N]
  if (target.empty()) {
    out.logits = at::zeros({0, model.config().vocabSize}, at::TensorOptions(dev).dtype(at::kFloat));
    return out;
  }
  at::Tensor positions = at::arange(T, at::kLong).unsqueeze(0).expand({B, T});    // [B, T]
  at::Tensor hidden = model.hidden({ids.to(dev), positions.to(dev), {}});         // [B, T, d]
  at::Tensor src = at::tensor(source, at::kLong).to(dev);                         // [N]
  at::Tensor rows = hidden.reshape({B * T, hidden.size(2)}).index_select(0, src); // [N, d]
  out.logits = model.logits(rows);                                                // [N, vocab] fp32
  return out;
}

} // namespace poslab
