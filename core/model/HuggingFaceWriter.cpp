#include "core/model/HuggingFaceWriter.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsWriter.h"

#include <filesystem>

namespace poslab {

namespace {

const char* torchDtypeName(at::ScalarType t) {
  return t == at::kBFloat16 ? "bfloat16" : t == at::kHalf ? "float16" : "float32";
}

DType storageDtype(at::ScalarType t) {
  return t == at::kBFloat16 ? DType::BF16 : t == at::kHalf ? DType::F16 : DType::F32;
}

} // namespace

nlohmann::json HuggingFaceWriter::configJson(const ModelConfig& c, at::ScalarType dtype) {
  nlohmann::json j = {{"architectures", {c.architecture}},
                      {"model_type", c.family},
                      {"hidden_size", c.hiddenSize},
                      {"intermediate_size", c.intermediateSize},
                      {"num_hidden_layers", c.numLayers},
                      {"num_attention_heads", c.numHeads},
                      {"num_key_value_heads", c.numKvHeads},
                      {"head_dim", c.headDim},
                      {"vocab_size", c.vocabSize},
                      {"max_position_embeddings", c.maxPositions},
                      {"rms_norm_eps", c.rmsNormEps},
                      {"rope_theta", c.ropeTheta},
                      {"tie_word_embeddings", c.tieWordEmbeddings},
                      {"hidden_act", "silu"},
                      {"torch_dtype", torchDtypeName(dtype)}};
  if (c.bosTokenId >= 0) j["bos_token_id"] = c.bosTokenId;
  if (c.eosTokenIds.size() == 1)
    j["eos_token_id"] = c.eosTokenIds.front();
  else if (!c.eosTokenIds.empty())
    j["eos_token_id"] = c.eosTokenIds;
  if (c.family == "llama") j["attention_bias"] = c.attentionBias;
  if (c.slidingWindow) j["sliding_window"] = *c.slidingWindow;
  switch (c.ropeScaling.kind) {
  case RopeScaling::Kind::None:
    break;
  case RopeScaling::Kind::Linear:
    j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.ropeScaling.factor}};
    break;
  case RopeScaling::Kind::Llama3:
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", c.ropeScaling.factor},
                         {"low_freq_factor", c.ropeScaling.lowFreqFactor},
                         {"high_freq_factor", c.ropeScaling.highFreqFactor},
                         {"original_max_position_embeddings", c.ropeScaling.originalMaxPositions}};
    break;
  }
  return j;
}

void HuggingFaceWriter::write(const std::string& dir, const ModelConfig& c, const ModelWeights& w,
                              at::ScalarType dtype) {
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, at::Tensor>> named;
  named.emplace_back("model.embed_tokens.weight", w.embed);
  for (size_t i = 0; i < w.layers.size(); ++i) {
    const LayerWeights& l = w.layers[i];
    const std::string p = "model.layers." + std::to_string(i) + ".";
    named.emplace_back(p + "input_layernorm.weight", l.attnNorm);
    named.emplace_back(p + "self_attn.q_proj.weight", l.wq());
    named.emplace_back(p + "self_attn.k_proj.weight", l.wk());
    named.emplace_back(p + "self_attn.v_proj.weight", l.wv());
    if (l.bqkv.defined()) {
      named.emplace_back(p + "self_attn.q_proj.bias", l.bq());
      named.emplace_back(p + "self_attn.k_proj.bias", l.bk());
      named.emplace_back(p + "self_attn.v_proj.bias", l.bv());
    }
    named.emplace_back(p + "self_attn.o_proj.weight", l.wo);
    named.emplace_back(p + "post_attention_layernorm.weight", l.ffnNorm);
    named.emplace_back(p + "mlp.gate_proj.weight", l.wGate());
    named.emplace_back(p + "mlp.up_proj.weight", l.wUp());
    named.emplace_back(p + "mlp.down_proj.weight", l.wDown);
  }
  named.emplace_back("model.norm.weight", w.finalNorm);
  if (!c.tieWordEmbeddings) named.emplace_back("lm_head.weight", w.lmHead);

  writeTensors((std::filesystem::path(dir) / "model.safetensors").string(), named, dtype);
  JsonFile::write((std::filesystem::path(dir) / "config.json").string(), configJson(c, dtype));
}

void HuggingFaceWriter::writeTensors(const std::string& path,
                                     const std::vector<std::pair<std::string, at::Tensor>>& named,
                                     at::ScalarType dtype) {
  std::vector<at::Tensor> keep; // contiguous CPU copies the entries point into
  std::vector<SafetensorsWriter::Entry> entries;
  for (auto& [name, t] : named) {
    keep.push_back(t.detach().to(at::kCPU).to(dtype).contiguous());
    const at::Tensor& k = keep.back();
    entries.push_back({name, storageDtype(dtype), k.sizes().vec(), k.data_ptr(), k.nbytes()});
  }
  SafetensorsWriter::write(path, entries, {{"format", "pt"}});
}

} // namespace poslab
