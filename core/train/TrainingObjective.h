#pragma once
// What a training run minimises, as a seam between the loop and the method
// (METHOD.md §2b). The Trainer draws a batch of instance indices per optimizer
// step and cuts it into micro-batches; the objective turns a micro-batch into
// per-row losses (differentiable) and says each row's factor in the step's loss
//   L = Σ_i factor_i · row_i      over the whole batch.
// Factors carry no gradient. When they depend on the rows' values (Pos2Distill's
// position-aware weighting), the Trainer computes every row's value first — in
// the same pass when the batch is one micro-batch, else in a no-grad pass — so
// micro-batching never changes the loss. Cross-entropy, Pos2Distill's KL and
// later objectives (and LoRA or data-parallel training around them) plug in here
// without copies of the loop.
#include "core/model/LlamaModel.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

struct RowLosses {
  at::Tensor values;   // [n] fp32: each row's own loss before its factor (differentiable)
  int64_t tokens = 0;  // real tokens forwarded
  int64_t targets = 0; // tokens predicted
};

class TrainingObjective {
public:
  virtual ~TrainingObjective() = default;

  virtual std::string name() const = 0;
  // Instances the sampler permutes.
  virtual size_t size() const = 0;
  // Refuses (poslab::Error naming the instance) what the model cannot take:
  // ids outside the vocabulary, sequences past its context, empty targets.
  virtual void check(const ModelConfig& config) const = 0;
  // The rows of one micro-batch, in the order given.
  virtual RowLosses rows(const LlamaModel& model, const std::vector<size_t>& instances) const = 0;
  // true: factors() needs the rows' values.
  virtual bool factorsNeedValues() const { return false; }
  // Each row's factor over the whole batch; `values` holds the rows' detached
  // losses when factorsNeedValues(), else it is empty.
  virtual std::vector<double> factors(const std::vector<size_t>& batch,
                                      const std::vector<double>& values) const = 0;
  // Extra fields of the step's event (e.g. mean KL per gold-position bin).
  virtual nlohmann::json stepMetrics(const std::vector<size_t>& /*batch*/,
                                     const std::vector<double>& /*values*/,
                                     const std::vector<double>& /*factors*/) const {
    return nlohmann::json::object();
  }
};

} // namespace poslab
