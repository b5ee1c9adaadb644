#pragma once
// Everything the forward pass needs to know about an architecture, parsed in
// exactly one place per source format: a Hugging Face config.json or a GGUF
// file's metadata. Plain types only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class GgufFile;

struct RopeScaling {
  enum class Kind { None, Linear, Llama3 };
  Kind kind = Kind::None;
  double factor = 1.0;                 // Linear and Llama3
  double lowFreqFactor = 1.0;          // Llama3
  double highFreqFactor = 4.0;         // Llama3
  int64_t originalMaxPositions = 8192; // Llama3: original_max_position_embeddings
};

struct ModelConfig {
  std::string architecture;     // HF class name, e.g. "LlamaForCausalLM"
  std::string family;           // "llama" | "mistral" | "qwen2"
  int64_t hiddenSize = 0;       // d_model
  int64_t intermediateSize = 0; // SwiGLU hidden width
  int64_t numLayers = 0;        //
  int64_t numHeads = 0;         // query heads
  int64_t numKvHeads = 0;       // key/value heads (GQA: < numHeads; MQA: 1)
  int64_t headDim = 0;          // may differ from hiddenSize / numHeads when explicit
  int64_t vocabSize = 0;        //
  int64_t maxPositions = 0;     // context length the model was trained for
  double rmsNormEps = 1e-6;     //
  double ropeTheta = 10000.0;   //
  RopeScaling ropeScaling;      //
  bool attentionBias = false;   // q/k/v biases (Qwen2 / Qwen1.5)
  bool tieWordEmbeddings = false;
  std::optional<int64_t> slidingWindow; // Mistral v0.1: keys farther back are masked
  std::string storedDtype;              // "float32" | "bfloat16" | "float16" | "q8_0" ...
  int64_t bosTokenId = -1;
  std::vector<int64_t> eosTokenIds;

  // Throws poslab::Error naming config.json and the missing/invalid key.
  static ModelConfig fromHuggingFaceJson(const std::string& configPath);
  static ModelConfig fromGguf(const GgufFile& gguf);

  // Weight count (tied embeddings counted once).
  int64_t parameterCount() const;
  // Checks ranges and divisibility; throws naming `source` and the field.
  void validate(const std::string& source) const;
};

const char* supportedArchitectures();

} // namespace poslab
