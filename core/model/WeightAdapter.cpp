#include "core/model/WeightAdapter.h"

#include "core/util/Error.h"
#include "core/weights/ShapeText.h"
#include "core/weights/TensorLoader.h"
#include "core/weights/WeightSource.h"

namespace poslab {

namespace {

// A tensor the load reads: its stored name and the shape the config implies.
struct Wanted {
  std::string name;
  std::vector<int64_t> shape;
};

// One layer's tensors; the biases only matter when the config has them.
struct LayerTensors {
  Wanted attnNorm, q, k, v, o, qBias, kBias, vBias, ffnNorm, gate, up, down;

  std::vector<const Wanted*> all(bool bias) const {
    std::vector<const Wanted*> list{&attnNorm, &q, &k, &v, &o, &ffnNorm, &gate, &up, &down};
    if (bias) list.insert(list.end(), {&qBias, &kBias, &vBias});
    return list;
  }
};

// Tensor names of one source kind, given the layer index.
struct Naming {
  bool gguf;
  std::string layer(int64_t i, const char* hf, const char* gg) const {
    return gguf ? "blk." + std::to_string(i) + "." + gg : "model.layers." + std::to_string(i) + "." + hf;
  }
  std::string embed() const { return gguf ? "token_embd.weight" : "model.embed_tokens.weight"; }
  std::string norm() const { return gguf ? "output_norm.weight" : "model.norm.weight"; }
  std::string head() const { return gguf ? "output.weight" : "lm_head.weight"; }

  LayerTensors layerTensors(const ModelConfig& c, int64_t i) const {
    const int64_t d = c.hiddenSize, q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    const int64_t ff = c.intermediateSize;
    return {{layer(i, "input_layernorm.weight", "attn_norm.weight"), {d}},
            {layer(i, "self_attn.q_proj.weight", "attn_q.weight"), {q, d}},
            {layer(i, "self_attn.k_proj.weight", "attn_k.weight"), {kv, d}},
            {layer(i, "self_attn.v_proj.weight", "attn_v.weight"), {kv, d}},
            {layer(i, "self_attn.o_proj.weight", "attn_output.weight"), {d, q}},
            {layer(i, "self_attn.q_proj.bias", "attn_q.bias"), {q}},
            {layer(i, "self_attn.k_proj.bias", "attn_k.bias"), {kv}},
            {layer(i, "self_attn.v_proj.bias", "attn_v.bias"), {kv}},
            {layer(i, "post_attention_layernorm.weight", "ffn_norm.weight"), {d}},
            {layer(i, "mlp.gate_proj.weight", "ffn_gate.weight"), {ff, d}},
            {layer(i, "mlp.up_proj.weight", "ffn_up.weight"), {ff, d}},
            {layer(i, "mlp.down_proj.weight", "ffn_down.weight"), {d, ff}}};
  }
};

// Thrown by Loader::get when the cancel flag is up and caught in
// WeightAdapter::load, which it never leaves: unwinding from the middle of a
// layer frees every tensor loaded so far without a check after each get().
struct Cancelled {};

class Loader {
public:
  Loader(const WeightSource& source, at::ScalarType dtype, at::Device device, const LoadControl& control)
      : source_(source), dtype_(dtype), device_(device), control_(control) {}

  const TensorView* find(const std::string& name) const { return source_.find(name); }

  // Checks a tensor the load will read and counts its stored bytes.
  void expect(const Wanted& w) { total_ += view(w).nbytes; }
  void begin() const { control_.report(0, total_); }

  at::Tensor get(const Wanted& w) {
    if (control_.cancelled()) throw Cancelled{};
    const TensorView& v = view(w);
    at::Tensor t = loadTensor(v, source_.mappingOf(v), dtype_, device_);
    done_ += v.nbytes;
    control_.report(done_, total_);
    return t;
  }

private:
  const TensorView& view(const Wanted& w) const {
    const TensorView* view = source_.find(w.name);
    if (!view) fail(source_.path(), "tensor '" + w.name + "'", "missing");
    if (view->shape != w.shape)
      fail(view->file, "tensor '" + w.name + "'",
           "shape " + shapeText(view->shape) + " but the config needs " + shapeText(w.shape));
    return *view;
  }

  const WeightSource& source_;
  at::ScalarType dtype_;
  at::Device device_;
  const LoadControl& control_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
};

} // namespace

at::Tensor WeightAdapter::unpermuteGgufRope(const at::Tensor& w, int64_t nHeads) {
  const int64_t rows = w.size(0);
  const int64_t half = rows / nHeads / 2;
  // [n_head, half, 2, in] -> [n_head, 2, half, in]
  return w.reshape({nHeads, half, 2, -1}).transpose(1, 2).reshape(w.sizes()).contiguous();
}

std::optional<ModelWeights> WeightAdapter::load(const WeightSource& source, const ModelConfig& c,
                                                at::ScalarType dtype, const at::Device& device,
                                                const LoadControl& control) {
  const Naming n{source.kind() == WeightSource::Kind::Gguf};
  Loader L(source, dtype, device, control);
  const int64_t d = c.hiddenSize;
  const Wanted embed{n.embed(), {c.vocabSize, d}}, norm{n.norm(), {d}}, head{n.head(), {c.vocabSize, d}};
  // Tied checkpoints may still carry an lm_head copy; the config decides.
  const bool readHead = !c.tieWordEmbeddings && L.find(n.head());
  std::vector<LayerTensors> layers;
  for (int64_t i = 0; i < c.numLayers; ++i)
    layers.push_back(n.layerTensors(c, i));

  // Every tensor is checked and counted before the first byte is read: a bad
  // one fails at once, and progress knows its total from the start.
  L.expect(embed);
  L.expect(norm);
  if (readHead) L.expect(head);
  for (const LayerTensors& t : layers)
    for (const Wanted* w : t.all(c.attentionBias))
      L.expect(*w);
  L.begin();

  try {
    ModelWeights w;
    w.embed = L.get(embed);
    w.finalNorm = L.get(norm);
    w.lmHead = readHead ? L.get(head) : w.embed;
    w.layers.resize(layers.size());
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerTensors& t = layers[i];
      LayerWeights& l = w.layers[i];
      l.attnNorm = L.get(t.attnNorm);
      at::Tensor wq = L.get(t.q);
      at::Tensor wk = L.get(t.k);
      at::Tensor wv = L.get(t.v);
      at::Tensor bq, bk, bv;
      l.wo = L.get(t.o);
      if (c.attentionBias) {
        bq = L.get(t.qBias);
        bk = L.get(t.kBias);
        bv = L.get(t.vBias);
      }
      l.ffnNorm = L.get(t.ffnNorm);
      at::Tensor gate = L.get(t.gate);
      at::Tensor up = L.get(t.up);
      l.wDown = L.get(t.down);
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
  } catch (const Cancelled&) {
    return std::nullopt;
  }
}

} // namespace poslab
