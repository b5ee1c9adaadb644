#include "core/model/LoraWeights.h"

namespace poslab {

at::Tensor LoraWeights::delta(int64_t layer, LoraTarget t, const at::Tensor& x) const {
  const LoraPair& p = pair(layer, t);
  if (!p.defined()) return {};
  // As PEFT: the input is cast to the adapter's dtype (an f32 adapter on a bf16
  // base computes in f32), and the result back to the base's.
  const at::Tensor xa = x.scalar_type() == p.a.scalar_type() ? x : x.to(p.a.scalar_type());
  at::Tensor d = at::linear(at::linear(xa, p.a), p.b); // [..., in] -> [..., r] -> [..., out]
  d = d.mul(scale);
  return d.scalar_type() == x.scalar_type() ? d : d.to(x.scalar_type());
}

at::Tensor LoraWeights::weightDelta(int64_t layer, LoraTarget t, at::ScalarType dtype) const {
  const LoraPair& p = pair(layer, t);
  // In fp32 whatever the adapter's dtype, then rounded once.
  return at::matmul(p.b.to(at::kFloat), p.a.to(at::kFloat)).mul_(scale).to(dtype); // [out, in]
}

void LoraWeights::mergeInto(ModelWeights& weights) const {
  at::NoGradGuard noGrad;
  for (size_t l = 0; l < layers.size() && l < weights.layers.size(); ++l) {
    LayerWeights& w = weights.layers[l];
    const auto layer = static_cast<int64_t>(l);
    // Each fused tensor is copied once, before its first change: never write
    // into a file mapping or into a tensor another model shares.
    auto add = [&](at::Tensor& fused, bool& copied, int64_t rowStart, LoraTarget t) {
      if (!pair(layer, t).defined()) return;
      const at::Tensor d = weightDelta(layer, t, fused.scalar_type()).to(fused.device()); // [out, in]
      if (!copied) fused = fused.clone();
      copied = true;
      fused.narrow(0, rowStart, d.size(0)).add_(d);
    };
    bool qkv = false, o = false, gateUp = false, down = false;
    const int64_t ff = w.ffRows();
    add(w.wqkv, qkv, 0, LoraTarget::Q);
    add(w.wqkv, qkv, w.qRows, LoraTarget::K);
    add(w.wqkv, qkv, w.qRows + w.kvRows, LoraTarget::V);
    add(w.wo, o, 0, LoraTarget::O);
    add(w.wGateUp, gateUp, 0, LoraTarget::Gate);
    add(w.wGateUp, gateUp, ff, LoraTarget::Up);
    add(w.wDown, down, 0, LoraTarget::Down);
  }
}

std::vector<at::Tensor*> LoraWeights::all() {
  std::vector<at::Tensor*> out;
  for (auto& layer : layers)
    for (LoraPair& p : layer)
      if (p.defined()) {
        out.push_back(&p.a);
        out.push_back(&p.b);
      }
  return out;
}

int64_t LoraWeights::parameterCount() const {
  int64_t n = 0;
  for (const auto& layer : layers)
    for (const LoraPair& p : layer)
      if (p.defined()) n += p.a.numel() + p.b.numel();
  return n;
}

} // namespace poslab
