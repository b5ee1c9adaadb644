#pragma once
// Pos2Distill R1's loss (METHOD.md §2b) as a TrainingObjective: per KL
// instance, the forward KL from the frozen teacher (under the teacher prompt)
// to the student (under the student prompt), token by token over the teacher
// response and averaged over its tokens:
//   KL_i = (1/|r|) Σ_t Σ_v p_T(v | ...) (log p_T(v | ...) − log p_S(v | student prompt, r_<t))
// in fp32 over the full vocabulary; then the position-aware weighting and the
// anchor term (PositionWeighting).
#include "core/distill/DistillSet.h"
#include "core/distill/PositionWeighting.h"
#include "core/distill/TeacherDistributions.h"
#include "core/train/TrainingObjective.h"

#include <memory>

namespace poslab {

class KlObjective : public TrainingObjective {
public:
  // The teacher's (prompt, response) pairs of a set's KL instances, each once,
  // and which pair every instance uses (for TeacherDistributions).
  struct Pairs {
    std::vector<TrainingSequence> sequences;
    std::vector<size_t> ofInstance;
  };
  static Pairs teacherPairs(const DistillSet& set);

  // Every instance of `set` must be a KL instance (activation or anchor).
  KlObjective(DistillSet set, std::vector<size_t> pairOfInstance,
              std::shared_ptr<const TeacherDistributions> teacher, Weighting weighting, double lambda);

  std::string name() const override { return "pos2distill_kl"; }
  size_t size() const override { return set_.instances.size(); }
  void check(const ModelConfig& config) const override;
  RowLosses rows(const LlamaModel& model, const std::vector<size_t>& instances) const override;
  bool factorsNeedValues() const override { return weighting_ != Weighting::Uniform; }
  std::vector<double> factors(const std::vector<size_t>& batch,
                              const std::vector<double>& values) const override;
  nlohmann::json stepMetrics(const std::vector<size_t>& batch, const std::vector<double>& values,
                             const std::vector<double>& factors) const override;

  // Per instance, the KL of each response token (no gradient): where the answer "shifts" (METHOD §4.5).
  std::vector<std::vector<double>> tokenKl(const LlamaModel& model,
                                           const std::vector<size_t>& instances) const;

  const DistillSet& set() const { return set_; }

private:
  struct TokenKl {
    at::Tensor perToken; // [N] fp32
    at::Tensor row;      // [N] int64
    int64_t tokens = 0;
  };
  TokenKl perToken(const LlamaModel& model, const std::vector<size_t>& instances) const;

  DistillSet set_;
  std::vector<TrainingSequence> students_; // student prompt ++ response, the response marked
  std::vector<size_t> pairOf_;
  std::shared_ptr<const TeacherDistributions> teacher_;
  Weighting weighting_;
  double lambda_;
};

} // namespace poslab
