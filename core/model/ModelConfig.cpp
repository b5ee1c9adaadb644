#include "core/model/ModelConfig.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/GgufFile.h"

#include <nlohmann/json.hpp>

namespace poslab {

namespace {

struct Architecture {
  const char* hfClass;
  const char* family;
  const char* ggufArch;
};

// The architectures the forward pass implements. Llama 1/2/3/3.1 and Mistral share
// one layout; Qwen2 (and Qwen1.5, which HF loads as Qwen2) adds q/k/v biases.
constexpr Architecture kArchitectures[] = {
    {"LlamaForCausalLM", "llama", "llama"},
    {"MistralForCausalLM", "mistral", "mistral"},
    {"Qwen2ForCausalLM", "qwen2", "qwen2"},
};

using Json = nlohmann::json;

const Json& require(const Json& j, const char* key, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) fail(file, key, "missing");
  return *it;
}

int64_t requireInt(const Json& j, const char* key, const std::string& file) {
  const Json& v = require(j, key, file);
  if (!v.is_number_integer()) fail(file, key, "expected an integer, found " + v.dump());
  return v.get<int64_t>();
}

double numberOr(const Json& j, const char* key, double fallback, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number()) fail(file, key, "expected a number, found " + it->dump());
  return it->get<double>();
}

bool boolOr(const Json& j, const char* key, bool fallback, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail(file, key, "expected true or false, found " + it->dump());
  return it->get<bool>();
}

std::string textOr(const Json& j, const char* key, const std::string& fallback, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_string()) fail(file, key, "expected a string, found " + it->dump());
  return it->get<std::string>();
}

std::vector<int64_t> idList(const Json& j, const char* key, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (it->is_number_integer()) return {it->get<int64_t>()};
  if (!it->is_array()) fail(file, key, "expected an integer or a list of integers");
  std::vector<int64_t> ids;
  for (const Json& v : *it) {
    if (!v.is_number_integer()) fail(file, key, "expected a list of integers");
    ids.push_back(v.get<int64_t>());
  }
  return ids;
}

RopeScaling parseRopeScaling(const Json& j, const std::string& file) {
  RopeScaling s;
  auto it = j.find("rope_scaling");
  if (it == j.end() || it->is_null()) return s;
  if (!it->is_object()) fail(file, "rope_scaling", "expected an object");
  // HF renamed "type" to "rope_type" (transformers 4.43); accept both.
  auto typeIt = it->find("rope_type");
  if (typeIt == it->end()) typeIt = it->find("type");
  if (typeIt == it->end() || typeIt->is_null()) fail(file, "rope_scaling.rope_type", "missing");
  if (!typeIt->is_string())
    fail(file, "rope_scaling.rope_type", "expected a string, found " + typeIt->dump());
  const std::string type = typeIt->get<std::string>();
  if (type == "default") return s;
  s.factor = numberOr(*it, "factor", 1.0, file);
  if (type == "linear") {
    s.kind = RopeScaling::Kind::Linear;
  } else if (type == "llama3") {
    s.kind = RopeScaling::Kind::Llama3;
    s.lowFreqFactor = numberOr(*it, "low_freq_factor", 1.0, file);
    s.highFreqFactor = numberOr(*it, "high_freq_factor", 4.0, file);
    s.originalMaxPositions = requireInt(*it, "original_max_position_embeddings", file);
  } else {
    fail(file, "rope_scaling.rope_type", "unsupported '" + type + "' (supported: linear, llama3)");
  }
  if (!(s.factor > 0)) fail(file, "rope_scaling.factor", "must be positive");
  return s;
}

} // namespace

const char* supportedArchitectures() {
  return "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM";
}

ModelConfig ModelConfig::fromHuggingFaceJson(const std::string& path) {
  const Json j = JsonFile::readObject(path);
  ModelConfig c;
  try {
    const Json& archs = require(j, "architectures", path);
    if (!archs.is_array() || archs.empty() || !archs[0].is_string())
      fail(path, "architectures", "expected a list of class names");
    c.architecture = archs[0].get<std::string>();
    const Architecture* arch = nullptr;
    for (const Architecture& a : kArchitectures)
      if (c.architecture == a.hfClass) arch = &a;
    if (!arch)
      fail(path, "architectures",
           "unsupported architecture " + c.architecture + " (supported: " + supportedArchitectures() + ")");
    c.family = arch->family;
    c.hiddenSize = requireInt(j, "hidden_size", path);
    c.intermediateSize = requireInt(j, "intermediate_size", path);
    c.numLayers = requireInt(j, "num_hidden_layers", path);
    c.numHeads = requireInt(j, "num_attention_heads", path);
    c.numKvHeads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                       ? requireInt(j, "num_key_value_heads", path)
                       : c.numHeads;
    c.vocabSize = requireInt(j, "vocab_size", path);
    c.headDim = j.contains("head_dim") && !j["head_dim"].is_null()
                    ? requireInt(j, "head_dim", path)
                    : (c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0);
    c.maxPositions =
        j.contains("max_position_embeddings") ? requireInt(j, "max_position_embeddings", path) : 2048;
    c.rmsNormEps = numberOr(j, "rms_norm_eps", 1e-6, path);
    c.ropeTheta = numberOr(j, "rope_theta", 10000.0, path);
    c.ropeScaling = parseRopeScaling(j, path);
    c.tieWordEmbeddings = boolOr(j, "tie_word_embeddings", false, path);
    // Qwen2 always has q/k/v biases; Llama-family configs may say so explicitly.
    c.attentionBias = boolOr(j, "attention_bias", false, path) || c.family == "qwen2";
    bool slidingUsed = boolOr(j, "use_sliding_window", false, path) || c.family == "mistral";
    if (slidingUsed && j.contains("sliding_window") && !j["sliding_window"].is_null())
      c.slidingWindow = requireInt(j, "sliding_window", path);
    c.storedDtype = textOr(j, "torch_dtype", "float32", path);
    auto bos = idList(j, "bos_token_id", path);
    c.bosTokenId = bos.empty() ? -1 : bos.front();
    c.eosTokenIds = idList(j, "eos_token_id", path);
  } catch (const Json::exception& e) {
    fail(path, "", std::string("unexpected value type (") + e.what() + ")");
  }
  c.validate(path);
  return c;
}

ModelConfig ModelConfig::fromGguf(const GgufFile& g) {
  const std::string arch = g.string("general.architecture");
  ModelConfig c;
  const Architecture* found = nullptr;
  for (const Architecture& a : kArchitectures)
    if (arch == a.ggufArch) found = &a;
  if (!found)
    fail(g.path(), "general.architecture",
         "unsupported architecture " + arch + " (supported: llama, mistral, qwen2)");
  c.architecture = found->hfClass;
  c.family = found->family;
  auto key = [&](const char* suffix) { return arch + "." + suffix; };
  c.hiddenSize = g.integer(key("embedding_length"));
  c.intermediateSize = g.integer(key("feed_forward_length"));
  c.numLayers = g.integer(key("block_count"));
  c.numHeads = g.integer(key("attention.head_count"));
  c.numKvHeads =
      g.has(key("attention.head_count_kv")) ? g.integer(key("attention.head_count_kv")) : c.numHeads;
  c.headDim = g.has(key("attention.key_length")) ? g.integer(key("attention.key_length"))
                                                 : (c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0);
  c.maxPositions = g.has(key("context_length")) ? g.integer(key("context_length")) : 2048;
  c.rmsNormEps = g.number(key("attention.layer_norm_rms_epsilon"));
  c.ropeTheta = g.has(key("rope.freq_base")) ? g.number(key("rope.freq_base")) : 10000.0;
  if (g.has(key("rope.scaling.type"))) {
    const std::string type = g.string(key("rope.scaling.type"));
    if (type == "linear") {
      c.ropeScaling.kind = RopeScaling::Kind::Linear;
      c.ropeScaling.factor = g.number(key("rope.scaling.factor"));
    } else if (type != "none") {
      fail(g.path(), key("rope.scaling.type"), "unsupported '" + type + "' (supported: none, linear)");
    }
  }
  c.attentionBias = c.family == "qwen2";
  c.tieWordEmbeddings = g.findTensor("output.weight") == nullptr;
  if (const TensorView* emb = g.findTensor("token_embd.weight")) {
    c.vocabSize = emb->shape.empty() ? 0 : emb->shape[0];
    c.storedDtype = dtypeName(emb->dtype);
  }
  if (g.has(key("vocab_size"))) c.vocabSize = g.integer(key("vocab_size"));
  if (g.has("tokenizer.ggml.bos_token_id")) c.bosTokenId = g.integer("tokenizer.ggml.bos_token_id");
  if (g.has("tokenizer.ggml.eos_token_id")) c.eosTokenIds = {g.integer("tokenizer.ggml.eos_token_id")};
  c.validate(g.path());
  return c;
}

void ModelConfig::validate(const std::string& source) const {
  auto positive = [&](int64_t v, const char* field, int64_t max) {
    if (v <= 0 || v > max)
      fail(source, field, std::to_string(v) + " is out of range (1.." + std::to_string(max) + ")");
  };
  // Bounds keep a corrupt config from asking for absurd allocations.
  positive(hiddenSize, "hidden_size", 1 << 16);
  positive(intermediateSize, "intermediate_size", 1 << 18);
  positive(numLayers, "num_hidden_layers", 1024);
  positive(numHeads, "num_attention_heads", 1024);
  positive(numKvHeads, "num_key_value_heads", 1024);
  positive(headDim, "head_dim", 1024);
  positive(vocabSize, "vocab_size", 1 << 22);
  positive(maxPositions, "max_position_embeddings", 1 << 24);
  if (numHeads % numKvHeads != 0)
    fail(source, "num_key_value_heads",
         std::to_string(numKvHeads) + " does not divide num_attention_heads " + std::to_string(numHeads));
  if (headDim % 2 != 0) fail(source, "head_dim", "must be even for rotary embeddings");
  if (!(rmsNormEps > 0)) fail(source, "rms_norm_eps", "must be positive");
  if (!(ropeTheta > 0)) fail(source, "rope_theta", "must be positive");
  if (slidingWindow && *slidingWindow <= 0) fail(source, "sliding_window", "must be positive");
}

int64_t ModelConfig::parameterCount() const {
  const int64_t q = numHeads * headDim, kv = numKvHeads * headDim;
  int64_t perLayer = 2 * hiddenSize                       // two RMSNorm weights
                     + hiddenSize * (q + 2 * kv)          // q, k, v
                     + q * hiddenSize                     // o
                     + 3 * hiddenSize * intermediateSize; // gate, up, down
  if (attentionBias) perLayer += q + 2 * kv;
  const int64_t embed = vocabSize * hiddenSize;
  return embed * (tieWordEmbeddings ? 1 : 2) + hiddenSize + numLayers * perLayer;
}

} // namespace poslab
