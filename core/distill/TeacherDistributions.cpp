#include "core/distill/TeacherDistributions.h"

#include "core/model/BaseModelScope.h"
#include "core/train/TargetLogits.h"

#include <chrono>

namespace poslab {

TeacherDistributions::TeacherDistributions(const LlamaModel& teacher, std::vector<TrainingSequence> pairs,
                                           Mode mode, int64_t batch,
                                           const std::function<void(size_t, size_t)>& progress,
                                           ProcessGroup* group)
    : teacher_(teacher), pairs_(std::move(pairs)), mode_(mode), batch_(std::max<int64_t>(1, batch)) {
  if (mode_ != Mode::Cached) return;
  const auto t0 = std::chrono::steady_clock::now();
  const size_t ranks = group ? static_cast<size_t>(group->size()) : 1;
  const size_t rank = group ? static_cast<size_t>(group->rank()) : 0;
  cache_.reserve(pairs_.size());
  const auto step = static_cast<size_t>(batch_);
  for (size_t first = 0, chunkIndex = 0; first < pairs_.size(); first += step, ++chunkIndex) {
    std::vector<size_t> chunk;
    for (size_t i = first; i < std::min(pairs_.size(), first + step); ++i)
      chunk.push_back(i);
    const bool ours = chunkIndex % ranks == rank;
    // [N, vocab]; another rank's chunk is zeros here, its values arrive in the sum below.
    const at::Tensor all = ours ? compute(chunk) : at::Tensor();
    int64_t row = 0;
    for (size_t i : chunk) {
      const int64_t n = TargetLogits::targetCount(pairs_[i], false);
      cache_.push_back(ours ? all.narrow(0, row, n).clone() // its own storage: the chunk is freed
                            : at::zeros({n, teacher_.config().vocabSize},
                                        at::TensorOptions().dtype(at::kFloat).device(teacher_.device())));
      row += n;
    }
    if (progress) progress(cache_.size(), pairs_.size());
  }
  // x + 0 + ... + 0 = x exactly: every rank ends with the one process's cache, bit for bit.
  if (group) group->allReduceSum(cache_, "the teacher distributions");
  fillSeconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

at::Tensor TeacherDistributions::compute(const std::vector<size_t>& pairs) const {
  at::NoGradGuard noGrad;
  // The teacher is the base model: a LoRA student's adapter is off for it.
  const BaseModelScope base(teacher_);
  std::vector<const TrainingSequence*> batch;
  for (size_t i : pairs)
    batch.push_back(&pairs_[i]);
  const TargetLogits t = TargetLogits::of(teacher_, batch, false);
  return at::log_softmax(t.logits, -1); // [N, vocab] fp32
}

at::Tensor TeacherDistributions::logProbs(const std::vector<size_t>& pairs) const {
  if (mode_ == Mode::Live) return compute(pairs);
  std::vector<at::Tensor> parts;
  parts.reserve(pairs.size());
  for (size_t i : pairs)
    parts.push_back(cache_[i]);
  return at::cat(parts, 0);
}

int64_t TeacherDistributions::cachedBytes() const {
  int64_t bytes = 0;
  for (const at::Tensor& t : cache_)
    bytes += t.numel() * static_cast<int64_t>(t.element_size());
  return bytes;
}

} // namespace poslab
