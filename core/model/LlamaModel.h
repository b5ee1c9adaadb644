#pragma once
// The Llama-family decoder (Llama 1/2/3/3.1, Mistral, Qwen2/Qwen1.5) in
// Hugging Face semantics: RMSNorm in fp32, rotate_half RoPE, GQA, SwiGLU.
// Batched with left padding, KV cache, optional attention observation.
// Autograd-capable: nothing here disables gradients; callers choose
// (at::NoGradGuard for inference, weights with requires_grad for training).
#include "core/model/LoraWeights.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"
#include "core/model/RotaryEmbedding.h"

#include <ATen/ATen.h>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace poslab {

class KvCache;

struct ForwardBatch {
  at::Tensor ids;       // [B, T] int64
  at::Tensor positions; // [B, T] int64: RoPE position of each token (pads: any value)
  at::Tensor keyMask;   // [B, cached + T] bool, true = a real token; undefined = no padding
};

// Receives the attention probabilities of one layer for a block of queries:
// probs [B, n_heads, Tq, S] fp32, query rows queryStart..queryStart+Tq of the
// forward's T tokens. Called layer by layer so callers can reduce as they go.
using AttentionObserver = std::function<void(int64_t layer, int64_t queryStart, const at::Tensor& probs)>;

class LlamaModel {
public:
  LlamaModel(ModelConfig config, ModelWeights weights, const at::Device& device);

  const ModelConfig& config() const { return config_; }
  ModelWeights& weights() { return weights_; }
  const ModelWeights& weights() const { return weights_; }
  at::ScalarType dtype() const { return weights_.embed.scalar_type(); }
  at::Device device() const { return weights_.embed.device(); }

  // Final hidden states after the last RMSNorm: [B, T, d_model] in the model dtype.
  // With a cache, the batch's tokens follow the cached ones and are appended to it.
  at::Tensor hidden(const ForwardBatch& batch, KvCache* cache = nullptr,
                    const AttentionObserver* observer = nullptr) const;
  // hidden [..., d_model] -> logits [..., vocab] fp32.
  at::Tensor logits(const at::Tensor& hidden) const;
  // hidden() then logits() for every position: [B, T, vocab] fp32.
  at::Tensor forward(const ForwardBatch& batch, KvCache* cache = nullptr,
                     const AttentionObserver* observer = nullptr) const;

  // Queries per attention block without gradients; bounds the [H, Tq, S] score
  // memory on long prompts. Small blocks keep each block's scores in cache and
  // skip more of the causal upper triangle (BENCHMARKS.md, "Prefill in bf16 at
  // 512 and 2 048 tokens").
  static constexpr int64_t kDefaultQueryBlock = 128;
  void setQueryBlock(int64_t rows) { queryBlock_ = rows; }
  // Training attends as transformers' eager attention does (attendMasked), in
  // blocks of kTrainingQueryBlock rows whatever setQueryBlock says: autograd
  // keeps every block's probabilities, so small blocks save no memory, and the
  // blocks' shares of k's and v's gradients are summed in the compute dtype,
  // which in bf16 rounds once per block. That is every forward with gradients
  // on or activation checkpointing, and with setTrainingAttention every forward
  // of the model: training jobs (train, distill, make-demo) set it, so their
  // teacher, the no-grad pass of a step's weighting factors and their held-out
  // sweeps compute as the gradient passes do, and committed runs rebuild bit
  // for bit.
  static constexpr int64_t kTrainingQueryBlock = 1024;
  void setTrainingAttention(bool on) { trainingAttention_ = on; }
  // Training: keep only each layer's input for backward and recompute the layer
  // then (LayerCheckpoint). Applies to forwards with gradients on and no cache.
  void setActivationCheckpointing(bool on) { checkpointLayers_ = on; }

  // A LoRA adapter applied on top of the weights, unmerged (LoraWeights.h);
  // nullptr removes it. Switching it off leaves the base model: the distill
  // teacher of a LoRA run, and base-vs-adapted comparisons in one process.
  void setAdapter(std::shared_ptr<LoraWeights> adapter) { adapter_ = std::move(adapter); }
  const std::shared_ptr<LoraWeights>& adapter() const { return adapter_; }
  // const: switching changes which function forward() computes, never the
  // weights; a teacher held as const LlamaModel& switches it off (BaseModelScope).
  void setAdapterEnabled(bool on) const { adapterEnabled_ = on; }
  bool adapterActive() const { return adapter_ && adapterEnabled_; }

  // Decoder layer `layer`: x [B, T, d] -> [B, T, d] (attention and SwiGLU, each with its residual).
  at::Tensor layer(int64_t layer, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                   const at::Tensor& mask, KvCache* cache = nullptr,
                   const AttentionObserver* observer = nullptr) const;

private:
  at::Tensor attention(int64_t layer, const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, KvCache* cache, const AttentionObserver* observer) const;
  // The plain causal prefill, whole or a chunk after cached keys (the kept mask,
  // no observer): q [B, H, T, D], k and v [B, Hkv, S, D] -> [B, T, H*D].
  at::Tensor attendCausal(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const at::Tensor& mask) const;
  // Any additive mask (padding, sliding window, cached keys) or none, and the
  // observer's fp32 probabilities: q [B, H, T, D], k and v [B, Hkv, S, D] -> [B, T, H*D].
  at::Tensor attendMasked(int64_t layer, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                          const at::Tensor& mask, const AttentionObserver* observer) const;
  // Softmax over the last dim of scaled, masked scores, in their dtype. May
  // overwrite scores (bf16 inference).
  at::Tensor probabilities(const at::Tensor& scores) const;
  // Whether mask is a view of the kept causal mask (causalMask()).
  bool isKeptCausalMask(const at::Tensor& mask) const;
  // Whether this forward attends as training does (setTrainingAttention).
  bool attendsAsTraining() const;
  at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight) const;
  // base + the adapter's s·B(A x) for projection t of the layer, when one is active.
  at::Tensor adapted(int64_t layer, LoraTarget t, const at::Tensor& x, const at::Tensor& base) const;
  // The additive mask [B|1, 1, T, S] for a forward (undefined: nothing is hidden).
  at::Tensor attentionMask(const ForwardBatch& batch, int64_t past) const;
  // [1, 1, T, past+T] additive causal mask in the model dtype for T queries
  // after past cached keys, cut from one kept for the longest sequence so far
  // (the common prefill, whole or in chunks: no padding, no sliding window).
  at::Tensor causalMask(int64_t past, int64_t T) const;

  ModelConfig config_;
  ModelWeights weights_;
  RotaryEmbedding rope_;
  int64_t queryBlock_ = kDefaultQueryBlock;
  bool checkpointLayers_ = false;
  bool trainingAttention_ = false;
  std::shared_ptr<LoraWeights> adapter_;
  mutable std::atomic<bool> adapterEnabled_{true};
  mutable std::mutex maskMutex_;
  mutable at::Tensor causalMask_; // [N, N], N >= every T asked for
};

} // namespace poslab
