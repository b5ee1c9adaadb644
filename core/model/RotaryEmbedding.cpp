#include "core/model/RotaryEmbedding.h"

#include <cmath>

namespace poslab {

namespace {

// transformers' _compute_llama3_parameters: long wavelengths are divided by
// `factor`, short ones kept, the band between interpolated smoothly.
at::Tensor llama3Frequencies(const at::Tensor& invFreq, const RopeScaling& s) {
  const double lowWavelen = static_cast<double>(s.originalMaxPositions) / s.lowFreqFactor;
  const double highWavelen = static_cast<double>(s.originalMaxPositions) / s.highFreqFactor;
  at::Tensor wavelen = 2 * M_PI / invFreq;
  at::Tensor scaled = at::where(wavelen > lowWavelen, invFreq / s.factor, invFreq);
  at::Tensor smooth = (static_cast<double>(s.originalMaxPositions) / wavelen - s.lowFreqFactor) /
                      (s.highFreqFactor - s.lowFreqFactor);
  at::Tensor smoothed = (1 - smooth) * scaled / s.factor + smooth * scaled;
  at::Tensor medium = (wavelen >= highWavelen).logical_and(wavelen <= lowWavelen);
  return at::where(medium, smoothed, scaled);
}

} // namespace

RotaryEmbedding::RotaryEmbedding(const ModelConfig& c, const at::Device& device) {
  // inv_freq = 1 / theta^(2i/d), computed as transformers does (int64 arange -> float).
  at::Tensor exponents =
      at::arange(0, c.headDim, 2, at::kLong).to(at::kFloat) / static_cast<double>(c.headDim);
  at::Tensor invFreq = 1.0 / at::pow(c.ropeTheta, exponents); // [head_dim/2]
  if (c.ropeScaling.kind == RopeScaling::Kind::Linear) invFreq = invFreq / c.ropeScaling.factor;
  if (c.ropeScaling.kind == RopeScaling::Kind::Llama3) invFreq = llama3Frequencies(invFreq, c.ropeScaling);
  invFreq_ = invFreq.to(at::kFloat).to(device);
}

std::pair<at::Tensor, at::Tensor> RotaryEmbedding::cosSin(const at::Tensor& positions,
                                                          at::ScalarType dtype) const {
  at::Tensor freqs = positions.to(at::kFloat).unsqueeze(-1) * invFreq_; // [B, T, d/2]
  at::Tensor emb = at::cat({freqs, freqs}, -1).unsqueeze(1);            // [B, 1, T, d]
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

at::Tensor RotaryEmbedding::apply(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  const int64_t half = x.size(-1) / 2;
  at::Tensor x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
  at::Tensor rotated = at::cat({-x2, x1}, -1); // rotate_half: [-x2, x1]
  return x * cos + rotated * sin;
}

} // namespace poslab
