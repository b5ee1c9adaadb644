#include "core/model/WeightAdapter.h"

#include "core/util/Error.h"
#include "core/weights/TensorLoader.h"
#include "core/weights/WeightSource.h"

#include <sstream>

namespace poslab {

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i)
    s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

// Tensor names of one source kind, given the layer index.
struct Naming {
  bool gguf;
  std::string layer(int64_t i, const char* hf, const char* gg) const {
    return gguf ? "blk." + std::to_string(i) + "." + gg : "model.layers." + std::to_string(i) + "." + hf;
  }
  std::string embed() const { return gguf ? "token_embd.weight" : "model.embed_tokens.weight"; }
  std::string norm() const { return gguf ? "output_norm.weight" : "model.norm.weight"; }
  std::string head() const { return gguf ? "output.weight" : "lm_head.weight"; }
};

class Loader {
public:
  Loader(const WeightSource& source, at::ScalarType dtype, at::Device device)
      : source_(source), dtype_(dtype), device_(device) {}

  const TensorView* find(const std::string& name) const { return source_.find(name); }

  at::Tensor get(const std::string& name, const std::vector<int64_t>& shape) const {
    const TensorView* view = source_.find(name);
    if (!view) fail(source_.path(), "tensor '" + name + "'", "missing");
    if (view->shape != shape)
      fail(view->file, "tensor '" + name + "'",
           "shape " + shapeText(view->shape) + " but the config needs " + shapeText(shape));
    return loadTensor(*view, source_.mappingOf(*view), dtype_, device_);
  }

private:
  const WeightSource& source_;
  at::ScalarType dtype_;
  at::Device device_;
};

} // namespace

at::Tensor WeightAdapter::unpermuteGgufRope(const at::Tensor& w, int64_t nHeads) {
  const int64_t rows = w.size(0);
  const int64_t half = rows / nHeads / 2;
  // [n_head, half, 2, in] -> [n_head, 2, half, in]
  return w.reshape({nHeads, half, 2, -1}).transpose(1, 2).reshape(w.sizes()).contiguous();
}

ModelWeights WeightAdapter::load(const WeightSource& source, const ModelConfig& c, at::ScalarType dtype,
                                 const at::Device& device) {
  const Naming n{source.kind() == WeightSource::Kind::Gguf};
  const Loader L(source, dtype, device);
  const int64_t d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
  ModelWeights w;
  w.embed = L.get(n.embed(), {c.vocabSize, d});
  w.finalNorm = L.get(n.norm(), {d});
  // Tied checkpoints may still carry an lm_head copy; the config decides.
  w.lmHead = (c.tieWordEmbeddings || !L.find(n.head())) ? w.embed : L.get(n.head(), {c.vocabSize, d});
  w.layers.resize(static_cast<size_t>(c.numLayers));
  for (int64_t i = 0; i < c.numLayers; ++i) {
    LayerWeights& l = w.layers[static_cast<size_t>(i)];
    l.attnNorm = L.get(n.layer(i, "input_layernorm.weight", "attn_norm.weight"), {d});
    at::Tensor wq = L.get(n.layer(i, "self_attn.q_proj.weight", "attn_q.weight"), {q, d});
    at::Tensor wk = L.get(n.layer(i, "self_attn.k_proj.weight", "attn_k.weight"), {kv, d});
    at::Tensor wv = L.get(n.layer(i, "self_attn.v_proj.weight", "attn_v.weight"), {kv, d});
    at::Tensor bq, bk, bv;
    l.wo = L.get(n.layer(i, "self_attn.o_proj.weight", "attn_output.weight"), {d, q});
    if (c.attentionBias) {
      bq = L.get(n.layer(i, "self_attn.q_proj.bias", "attn_q.bias"), {q});
      bk = L.get(n.layer(i, "self_attn.k_proj.bias", "attn_k.bias"), {kv});
      bv = L.get(n.layer(i, "self_attn.v_proj.bias", "attn_v.bias"), {kv});
    }
    l.ffnNorm = L.get(n.layer(i, "post_attention_layernorm.weight", "ffn_norm.weight"), {d});
    at::Tensor gate = L.get(n.layer(i, "mlp.gate_proj.weight", "ffn_gate.weight"), {c.intermediateSize, d});
    at::Tensor up = L.get(n.layer(i, "mlp.up_proj.weight", "ffn_up.weight"), {c.intermediateSize, d});
    l.wDown = L.get(n.layer(i, "mlp.down_proj.weight", "ffn_down.weight"), {d, c.intermediateSize});
    // llama.cpp's converter permutes q/k only for the llama/mistral family;
    // Qwen2 GGUFs keep HF's order (NEOX-style RoPE in llama.cpp).
    if (n.gguf && c.family != "qwen2") {
      wq = unpermuteGgufRope(wq, c.numHeads);
      wk = unpermuteGgufRope(wk, c.numKvHeads);
      if (bq.defined()) bq = unpermuteGgufRope(bq.unsqueeze(1), c.numHeads).squeeze(1);
      if (bk.defined()) bk = unpermuteGgufRope(bk.unsqueeze(1), c.numKvHeads).squeeze(1);
    }
    // One GEMM each for q/k/v and for gate/up (ModelWeights.h); the copies are
    // made one layer at a time, so loading needs at most one layer's worth extra.
    l.setAttention(wq, wk, wv, bq, bk, bv);
    l.setFeedForward(gate, up);
  }
  return w;
}

} // namespace poslab
