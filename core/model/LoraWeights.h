#pragma once
// LoRA adapters on the decoder's linear projections, with PEFT's semantics:
// y = W x + s · B (A x), A [r, in], B [out, r], s = lora_alpha / r (rsLoRA:
// lora_alpha / √r). The seven projections are Hugging Face's per layer; here
// q/k/v and gate/up are row slices of fused matrices (ModelWeights.h), so a q
// adapter adds to the q columns of the fused product only.
// Applied unmerged by LlamaModel (the base stays shared and can be switched
// back on), or merged into the weights (mergeInto): the same logits to rounding.
// core/lora reads and writes them as PEFT folders.
#include "core/model/LoraTarget.h"
#include "core/model/ModelWeights.h"

#include <ATen/ATen.h>
#include <array>
#include <string>
#include <vector>

namespace poslab {

struct LoraPair {
  at::Tensor a; // [r, in]
  at::Tensor b; // [out, r]
  bool defined() const { return a.defined(); }
};

struct LoraWeights {
  double scale = 1.0;                                     // s above
  std::vector<std::array<LoraPair, kLoraTargets>> layers; // one entry per decoder layer

  const LoraPair& pair(int64_t layer, LoraTarget t) const {
    return layers[static_cast<size_t>(layer)][static_cast<size_t>(t)];
  }
  LoraPair& pair(int64_t layer, LoraTarget t) {
    return layers[static_cast<size_t>(layer)][static_cast<size_t>(t)];
  }
  // s · B (A x): x [..., in] -> [..., out] in x's dtype; undefined when the
  // projection has no adapter.
  at::Tensor delta(int64_t layer, LoraTarget t, const at::Tensor& x) const;
  // s · B A [out, in] in `dtype`: the change the adapter makes to W.
  at::Tensor weightDelta(int64_t layer, LoraTarget t, at::ScalarType dtype) const;
  // Adds every weightDelta to the base weights (fresh tensors: loaded weights
  // may be read-only file mappings).
  void mergeInto(ModelWeights& weights) const;
  // Every A and B, layer by layer, A before B, in LoraTarget order.
  std::vector<at::Tensor*> all();
  int64_t parameterCount() const;
};

} // namespace poslab
