#pragma once
// Pos2Distill R1's loss (METHOD.md §2b) on a whole distill set as one batch,
// as `poslab-cli distill-loss` reports it (docs/DISTILL.md): per instance its
// KL, its factor w_i in L = Σ w_i · KL_i (anchors included) and the KL of each
// response token (where the answer "shifts", METHOD §4.5). Engines in, plain
// numbers out (DESIGN.md "the engine's face"): the models stay inside core/.
#include "core/distill/DistillSet.h"
#include "core/distill/PositionWeighting.h"

#include <cstdint>
#include <vector>

namespace poslab {

class Engine;

struct DistillLossSettings {
  Weighting weighting = Weighting::Paper;
  double lambda = 1.0; // anchor weight
  int64_t batch = 8;   // instances per forward pass: memory only, the loss is of the whole set
};

// One instance of the set, in file order.
struct InstanceLoss {
  InstanceKind kind = InstanceKind::Activation;
  int64_t bin = -1;            // gold position of the student prompt (DistillInstance::bin)
  double kl = 0;               // KL_i: the mean of tokenKl
  double weight = 0;           // w_i
  std::vector<double> tokenKl; // per response token
};

struct DistillLossResult {
  double loss = 0; // Σ w_i · KL_i
  std::vector<InstanceLoss> instances;
};

class DistillLoss {
public:
  // teacher: the frozen original (same vocabulary), or nullptr for the student
  // as its own teacher (any LoRA adapter switched off, as in training). Every
  // instance must be a KL instance; throws naming the set's file otherwise.
  static DistillLossResult compute(const Engine& student, const Engine* teacher, DistillSet set,
                                   const DistillLossSettings& settings);
};

} // namespace poslab
