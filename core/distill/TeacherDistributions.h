#pragma once
// The frozen teacher's side of Pos2Distill's KL (METHOD.md §2b): for each
// (teacher prompt, response) pair, log p_T(v | teacher prompt, r_<t) at every
// response token t, over the full vocabulary, softmax in fp32. The distribution
// that predicts r_t sits at the position just before r_t (the last prompt
// token for t = 0).
//   Cached: every pair once, before training (R_adv and the teacher prompts
//     never change, and K+1 instances of a question share one pair), kept in
//     memory: sum over pairs of |r| × vocab floats.
//   Live: computed on demand from a frozen copy of the original model (its
//     weights stay in memory instead; costs one teacher forward per row).
// Either way with any LoRA adapter of the teacher model switched off
// (BaseModelScope): a LoRA run's teacher is its own base, no second copy.
// Data parallel: the cache's chunks are dealt out to the ranks (chunk c to rank
// c mod N) and summed across them, so each rank fills 1/N and all hold it whole.
#include "core/dist/ProcessGroup.h"
#include "core/model/LlamaModel.h"
#include "core/train/TrainingSequence.h"

#include <functional>
#include <vector>

namespace poslab {

class TeacherDistributions {
public:
  enum class Mode { Cached, Live };

  // pairs: teacher prompt ++ response, the response's tokens marked in lossMask.
  // The teacher must outlive this object in Live mode. progress(done, total)
  // while a cache is filled.
  TeacherDistributions(const LlamaModel& teacher, std::vector<TrainingSequence> pairs, Mode mode,
                       int64_t batch = 8, const std::function<void(size_t, size_t)>& progress = {},
                       ProcessGroup* group = nullptr);

  // log p_T for the responses of `pairs`, concatenated in order: [N, vocab] fp32, no gradient.
  at::Tensor logProbs(const std::vector<size_t>& pairs) const;

  Mode mode() const { return mode_; }
  size_t size() const { return pairs_.size(); }
  int64_t cachedBytes() const; // memory held by the cache (0 when live)
  double fillSeconds() const { return fillSeconds_; }
  static const char* name(Mode mode) { return mode == Mode::Cached ? "cache" : "live"; }

private:
  at::Tensor compute(const std::vector<size_t>& pairs) const; // [N, vocab]

  const LlamaModel& teacher_;
  std::vector<TrainingSequence> pairs_;
  Mode mode_;
  int64_t batch_;
  std::vector<at::Tensor> cache_; // per pair [|r|, vocab]
  double fillSeconds_ = 0;
};

} // namespace poslab
