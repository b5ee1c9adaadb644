#include "core/model/LlamaModel.h"

#include "core/model/CausalSoftmax.h"
#include "core/model/KvCache.h"
#include "core/model/LayerCheckpoint.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace poslab {

LlamaModel::LlamaModel(ModelConfig config, ModelWeights weights, const at::Device& device)
    : config_(std::move(config)), weights_(std::move(weights)), rope_(config_, device) {}

at::Tensor LlamaModel::rmsNorm(const at::Tensor& x, const at::Tensor& weight) const {
  // As transformers' LlamaRMSNorm: normalise in fp32, cast back, then scale.
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + config_.rmsNormEps);
  return weight * normed.to(x.scalar_type());
}

at::Tensor LlamaModel::attention(int64_t layer, const at::Tensor& x, const at::Tensor& cos,
                                 const at::Tensor& sin, const at::Tensor& mask, KvCache* cache,
                                 const AttentionObserver* observer) const {
  const LayerWeights& w = weights_.layers[static_cast<size_t>(layer)];
  const int64_t B = x.size(0), T = x.size(1);
  const int64_t H = config_.numHeads, Hkv = config_.numKvHeads, D = config_.headDim;

  // One GEMM for q, k and v (ModelWeights.h), then views of its columns.
  at::Tensor qkv = at::linear(x, w.wqkv, w.bqkv); // [B, T, (H+2Hkv)*D]
  at::Tensor q = adapted(layer, LoraTarget::Q, x, qkv.narrow(-1, 0, H * D))
                     .view({B, T, H, D})
                     .transpose(1, 2); // [B, H, T, D]
  at::Tensor k = adapted(layer, LoraTarget::K, x, qkv.narrow(-1, H * D, Hkv * D))
                     .view({B, T, Hkv, D})
                     .transpose(1, 2); // [B, Hkv, T, D]
  at::Tensor v = adapted(layer, LoraTarget::V, x, qkv.narrow(-1, (H + Hkv) * D, Hkv * D))
                     .view({B, T, Hkv, D})
                     .transpose(1, 2); // [B, Hkv, T, D]
  q = RotaryEmbedding::apply(q, cos, sin);
  k = RotaryEmbedding::apply(k, cos, sin);
  if (cache) std::tie(k, v) = cache->append(layer, k, v); // [B, Hkv, S, D], S = cached + T
  const at::Tensor merged = !observer && !attendsAsTraining() && isKeptCausalMask(mask)
                                ? attendCausal(q, k, v, mask)
                                : attendMasked(layer, q, k, v, mask, observer);
  return adapted(layer, LoraTarget::O, merged, at::linear(merged, w.wo));
}

at::Tensor LlamaModel::probabilities(const at::Tensor& scores) const {
  // Inference in bf16 softmaxes in place: ATen's bf16 softmax upcasts each row
  // to fp32 inside the kernel and rounds once, bit for bit the fp32 softmax cast
  // back (test_forward), without writing and re-reading an fp32 copy of the
  // scores. With gradients on, transformers' fp32 softmax and its backward.
  if (scores.scalar_type() == at::kBFloat16 && !at::GradMode::is_enabled()) {
    at::Tensor probs = scores; // the same storage
    return at::_softmax_out(probs, scores, -1, /*half_to_float=*/false);
  }
  return at::softmax(scores, -1, at::kFloat).to(scores.scalar_type());
}

at::Tensor LlamaModel::attendCausal(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                    const at::Tensor& mask) const {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), Hkv = k.size(1), G = H / Hkv;
  const int64_t past = k.size(2) - T; // cached keys before the queries
  // Query heads h = j*G + g share kv head j. Laid out [B, Hkv, T, G, D] (one
  // copy per layer), a block of query rows is one contiguous [B*Hkv, rows*G, D]
  // operand, and its output lands in [B, T, Hkv, G, D], the o projection's layout.
  at::Tensor qg = q.reshape({B, Hkv, G, T, D}).permute({0, 1, 3, 2, 4}).contiguous(); // [B, Hkv, T, G, D]
  const at::Tensor kc = k.contiguous(), vc = v.contiguous();                          // [B, Hkv, S, D]
  const at::Tensor causal = mask.select(0, 0).select(0, 0);                           // [T, S]
  // scale * q k^T with no mask copied into the scores first. A power-of-two
  // scale (head dims 4, 16, 64, 256) is exact on q, so the GEMM is a plain bmm;
  // any other rides in baddbmm's alpha over zeros. (Not beta 0: ATen's kernel
  // for small matrices then multiplies uninitialised scores by 0, and 0 * NaN is NaN.)
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  int exponent = 0;
  const bool exactScale = std::frexp(scale, &exponent) == 0.5;
  if (exactScale) qg = qg * scale;
  const at::Tensor zero = exactScale ? at::Tensor() : at::zeros({1, 1, 1}, q.options());
  at::Tensor out = at::empty({B, T, Hkv, G, D}, q.options());
  // Our AVX-512 softmax applies the causal mask itself (CausalSoftmax.h).
  const bool fusedSoftmax = CausalSoftmax::enabled() &&
                            (q.scalar_type() == at::kBFloat16 || q.scalar_type() == at::kFloat) && q.is_cpu();
  // Blocks end at multiples of the block size counted from the first cached
  // key, so a query row's softmax and PV run over the same keys in the same
  // block shapes whether its prompt runs whole or as a chunk after a reused
  // prefix. Not bit for bit (the other GEMMs see other shapes), but in bf16 the
  // sweep's two paths then agree on more predictions (BENCHMARKS.md).
  const int64_t block = queryBlock_;
  int64_t rows = 0;
  for (int64_t start = 0; start < T; start += rows) {
    rows = std::min(block - (past + start) % block, T - start);
    const int64_t keys = past + start + rows;
    // Keys after the block's last row are masked for all its rows: skipped.
    const at::Tensor qb = qg.narrow(2, start, rows).reshape({B * Hkv, rows * G, D}); // [B*Hkv, rows*G, D]
    const at::Tensor kb =
        kc.narrow(2, 0, keys).reshape({B * Hkv, keys, D}).transpose(1, 2);   // [B*Hkv, D, keys]
    const at::Tensor vb = vc.narrow(2, 0, keys).reshape({B * Hkv, keys, D}); // [B*Hkv, keys, D]
    at::Tensor scores =
        exactScale ? at::bmm(qb, kb) : at::baddbmm(zero, qb, kb, 1.0, scale); // [B*Hkv, rows*G, keys]
    if (fusedSoftmax) {
      at::Tensor byRow = scores.view({B * Hkv, rows, G, keys}); // row i sees keys [0, past + start + i]
      CausalSoftmax::inPlace(byRow);
    } else {
      // Only the block's own columns hold masked keys (the triangle above its diagonal).
      scores.view({B * Hkv, rows, G, keys})
          .narrow(-1, past + start, rows)
          .add_(causal.narrow(0, start, rows).narrow(1, past + start, rows).unsqueeze(1));
      scores = probabilities(scores);
    }
    out.narrow(1, start, rows).copy_(at::bmm(scores, vb).view({B, Hkv, rows, G, D}).permute({0, 2, 1, 3, 4}));
  }
  return out.view({B, T, H * D});
}

at::Tensor LlamaModel::attendMasked(int64_t layer, const at::Tensor& q, const at::Tensor& k,
                                    const at::Tensor& v, const at::Tensor& mask,
                                    const AttentionObserver* observer) const {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3), Hkv = k.size(1), G = H / Hkv;
  const int64_t S = k.size(2);
  // GQA without copying keys: query heads h = j*G + g share kv head j, so
  // [B, H, T, D] regroups to [B, Hkv, G*T, D] and meets k [B, Hkv, S, D] directly.
  at::Tensor qg = q.reshape({B, Hkv, G, T, D});
  at::Tensor kt = k.transpose(-1, -2); // [B, Hkv, D, S]
  const double scale = 1.0 / std::sqrt(static_cast<double>(D));
  at::Tensor out = at::empty({B, Hkv, G, T, D}, q.options());
  const int64_t block = attendsAsTraining() ? kTrainingQueryBlock : queryBlock_;
  for (int64_t start = 0; start < T; start += block) {
    const int64_t rows = std::min(block, T - start);
    at::Tensor qb = qg.narrow(3, start, rows).reshape({B, Hkv, G * rows, D});
    // Causal: no row of this block sees a key after its last row (S - T + start
    // + rows keys), so those columns (-inf scores, zero probabilities) are
    // skipped. An observer is shown every key, as it always was.
    const int64_t keys = observer || !mask.defined() ? S : S - T + start + rows;
    const at::Tensor kb = kt.narrow(-1, 0, keys); // [B, Hkv, D, keys]
    const at::Tensor vb = v.narrow(2, 0, keys);   // [B, Hkv, keys, D]
    const at::Tensor maskb = mask.defined() ? mask.narrow(3, 0, keys) : mask;
    // As transformers' eager attention: scaled scores plus the additive mask in
    // the compute dtype, softmax accumulated in fp32.
    at::Tensor scores;
    if (mask.defined() && mask.size(0) == 1) {
      // One mask for every row of the batch: the scale and the mask ride along
      // in the GEMM (baddbmm: mask + scale * q k^T) instead of two more passes
      // over [B, H, Tq, S]. The mask's G copies for the grouped heads are small.
      at::Tensor maskG = maskb.narrow(2, start, rows).expand({1, G, rows, keys}).reshape({1, G * rows, keys});
      scores =
          at::baddbmm(maskG, qb.reshape({B * Hkv, G * rows, D}), kb.reshape({B * Hkv, D, keys}), 1.0, scale)
              .view({B, H, rows, keys}); // [B, H, Tq, keys]
    } else {
      scores = at::matmul(qb, kb).mul_(scale).view({B, H, rows, keys}); // [B, H, Tq, keys]
      if (mask.defined()) scores.add_(maskb.narrow(2, start, rows));
    }
    at::Tensor pb; // [B, Hkv, G*Tq, keys] in the compute dtype
    if (observer) {
      const at::Tensor probs = at::softmax(scores, -1, at::kFloat); // [B, H, Tq, keys]
      (*observer)(layer, start, probs);
      pb = probs.to(q.scalar_type()).view({B, Hkv, G * rows, keys});
    } else {
      pb = probabilities(scores).view({B, Hkv, G * rows, keys});
    }
    out.narrow(3, start, rows).copy_(at::matmul(pb, vb).view({B, Hkv, G, rows, D}));
  }
  // [B, Hkv, G, T, D] -> [B, T, H*D]
  return out.view({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
}

at::Tensor LlamaModel::adapted(int64_t layer, LoraTarget t, const at::Tensor& x,
                               const at::Tensor& base) const {
  if (!adapterActive()) return base;
  const at::Tensor d = adapter_->delta(layer, t, x);
  return d.defined() ? base + d : base;
}

at::Tensor LlamaModel::causalMask(int64_t past, int64_t T) const {
  const int64_t S = past + T;
  std::lock_guard lock(maskMutex_);
  if (!causalMask_.defined() || causalMask_.size(0) < S || causalMask_.scalar_type() != dtype() ||
      causalMask_.device() != device()) {
    // Made outside any InferenceMode so a later forward with autograd may use it.
    c10::InferenceMode normal(false);
    const int64_t n = std::max<int64_t>(S, causalMask_.defined() ? causalMask_.size(0) : 0);
    causalMask_ = at::full({n, n}, -std::numeric_limits<float>::infinity(),
                           at::TensorOptions().dtype(dtype()).device(device()))
                      .triu_(1); // [N, N]: -inf above the diagonal (key j > query i)
  }
  // Query i is cache row past+i: the kept mask's rows past.. past+T-1.
  return causalMask_.narrow(0, past, T).narrow(1, 0, S).view({1, 1, T, S});
}

bool LlamaModel::attendsAsTraining() const {
  // A checkpointed layer's forward runs with gradients off and is recomputed
  // with them on (LayerCheckpoint); both must attend alike.
  return trainingAttention_ || checkpointLayers_ || at::GradMode::is_enabled();
}

bool LlamaModel::isKeptCausalMask(const at::Tensor& mask) const {
  std::lock_guard lock(maskMutex_);
  return mask.defined() && causalMask_.defined() && mask.is_alias_of(causalMask_);
}

at::Tensor LlamaModel::attentionMask(const ForwardBatch& batch, int64_t past) const {
  const int64_t B = batch.ids.size(0), T = batch.ids.size(1), S = past + T;
  const at::Device dev = device();
  // Padding only matters if some key is masked out; a mask of all real tokens
  // (Generator passes one for unpadded batches) is the same as none.
  const bool padded = batch.keyMask.defined() && !batch.keyMask.all().item<bool>();
  // The sliding window hides nothing while every query sees fewer keys than it.
  const bool windowed = config_.slidingWindow && S > *config_.slidingWindow;
  if (!windowed && !padded) {
    if (past > 0 && T == 1) return {}; // one new token sees every cached key
    return causalMask(past, T);        // plain causal, after the cache if any: the kept mask
  }
  if (!windowed && T == 1) {
    // A decode step: only padding hides keys. (The step's own key is a real
    // token in every row that is still generating; a finished row feeds a pad
    // whose output is never read, and keeps seeing its earlier real tokens.)
    at::Tensor visible = batch.keyMask.to(dev).view({B, 1, 1, S}); // [B, 1, 1, S]
    // A row with no real key at all would softmax to NaN: let it see every key
    // (its output is never read).
    visible = visible.logical_or(visible.logical_not().all(-1, /*keepdim=*/true));
    return at::zeros({B, 1, 1, S}, at::TensorOptions().dtype(dtype()).device(dev))
        .masked_fill_(visible.logical_not(), -std::numeric_limits<float>::infinity());
  }
  // The general case: additive mask [B, 1, T, S] in the compute dtype: key j is
  // visible to query i (cache index past+i) when j <= past+i, j is a real token,
  // and (sliding window) past+i-j < window.
  at::Tensor qIdx =
      at::arange(past, S, at::TensorOptions().dtype(at::kLong).device(dev)).unsqueeze(1);            // [T, 1]
  at::Tensor kIdx = at::arange(0, S, at::TensorOptions().dtype(at::kLong).device(dev)).unsqueeze(0); // [1, S]
  at::Tensor allowed = (kIdx <= qIdx).unsqueeze(0).unsqueeze(0); // [1, 1, T, S]
  if (windowed) allowed = allowed.logical_and(((qIdx - kIdx) < *config_.slidingWindow).view({1, 1, T, S}));
  if (padded) allowed = allowed.logical_and(batch.keyMask.to(dev).view({B, 1, 1, S}));
  // A pad query of a left-padded row sees no real key and would softmax to NaN;
  // let it see itself (its output is never read, but NaN would spread via 0*NaN).
  at::Tensor blind = allowed.logical_not().all(-1, /*keepdim=*/true);                 // [B|1, 1, T, 1]
  allowed = allowed.logical_or(blind.logical_and((kIdx == qIdx).view({1, 1, T, S}))); // [B|1, 1, T, S]
  return at::zeros(allowed.sizes(), at::TensorOptions().dtype(dtype()).device(dev))
      .masked_fill_(allowed.logical_not(), -std::numeric_limits<float>::infinity());
}

at::Tensor LlamaModel::hidden(const ForwardBatch& batch, KvCache* cache,
                              const AttentionObserver* observer) const {
  const int64_t T = batch.ids.size(1);
  const int64_t past = cache ? cache->length() : 0;
  const at::Device dev = device();
  const at::Tensor mask = attentionMask(batch, past); // [B|1, 1, T, S] or undefined

  auto [cos, sin] = rope_.cosSin(batch.positions.to(dev), dtype()); // [B, 1, T, D]
  at::Tensor x = at::embedding(weights_.embed, batch.ids.to(dev));  // [B, T, d]
  const bool checkpoint = checkpointLayers_ && at::GradMode::is_enabled() && !cache && !observer;
  for (int64_t l = 0; l < config_.numLayers; ++l) {
    if (!checkpoint) {
      x = layer(l, x, cos, sin, mask, cache, observer);
      continue;
    }
    // As a TensorList, so autograd sees each weight as an input of its own.
    const std::vector<at::Tensor> trainable = LayerCheckpoint::trainableWeights(*this, l);
    x = LayerCheckpoint::apply(this, l, x, cos, sin,
                               mask.defined() ? c10::optional<at::Tensor>(mask) : c10::nullopt,
                               at::TensorList(trainable));
  }
  if (cache) cache->advance(T);
  return rmsNorm(x, weights_.finalNorm);
}

at::Tensor LlamaModel::layer(int64_t l, const at::Tensor& input, const at::Tensor& cos, const at::Tensor& sin,
                             const at::Tensor& mask, KvCache* cache,
                             const AttentionObserver* observer) const {
  const LayerWeights& w = weights_.layers[static_cast<size_t>(l)];
  at::Tensor x = input + attention(l, rmsNorm(input, w.attnNorm), cos, sin, mask, cache, observer);
  // SwiGLU with gate and up from one GEMM: [B, T, 2*d_ff] -> silu(gate) * up.
  const at::Tensor h = rmsNorm(x, w.ffnNorm);
  at::Tensor gateUp = at::linear(h, w.wGateUp); // [B, T, 2*d_ff]
  const int64_t ff = gateUp.size(-1) / 2;
  const at::Tensor gate = adapted(l, LoraTarget::Gate, h, gateUp.narrow(-1, 0, ff)); // [B, T, d_ff]
  const at::Tensor up = adapted(l, LoraTarget::Up, h, gateUp.narrow(-1, ff, ff));    // [B, T, d_ff]
  at::Tensor act = at::silu(gate) * up;                                              // [B, T, d_ff]
  return x + adapted(l, LoraTarget::Down, act, at::linear(act, w.wDown));
}

at::Tensor LlamaModel::logits(const at::Tensor& hidden) const {
  return at::linear(hidden, weights_.lmHead).to(at::kFloat);
}

at::Tensor LlamaModel::forward(const ForwardBatch& batch, KvCache* cache,
                               const AttentionObserver* observer) const {
  return logits(hidden(batch, cache, observer));
}

} // namespace poslab
