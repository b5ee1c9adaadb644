#include "core/lora/LoraInitializer.h"

#include "core/lora/PeftAdapter.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace poslab {

std::shared_ptr<LoraWeights> LoraInitializer::create(const LoraConfig& config, const LlamaModel& base,
                                                     uint64_t seed) {
  const ModelConfig& mc = base.config();
  config.checkAgainst(mc.numLayers, "LoRA settings");
  auto w = std::make_shared<LoraWeights>();
  w->scale = config.scale();
  w->layers.resize(static_cast<size_t>(mc.numLayers));
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (int64_t l = 0; l < mc.numLayers; ++l)
    for (LoraTarget t : kAllLoraTargets) {
      if (!config.adapts(l, t)) continue;
      const auto [out, in] = PeftAdapter::projectionShape(mc, t);
      // kaiming_uniform_(a=√5) on [r, in]: gain √(2/(1+5)), bound gain·√(3/in) = 1/√in.
      const double bound = 1.0 / std::sqrt(static_cast<double>(in));
      LoraPair& p = w->pair(l, t);
      p.a = at::empty({config.r, in}, at::kFloat).uniform_(-bound, bound, gen).to(base.device()); // [r, in]
      p.b =
          at::zeros({out, config.r}, at::TensorOptions().dtype(at::kFloat).device(base.device())); // [out, r]
    }
  return w;
}

} // namespace poslab
