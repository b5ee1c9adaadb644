#pragma once
// What `poslab-cli info` and the GUI show about a model. Plain types only.
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

struct ModelInfo {
  std::string path;
  std::string format;       // "huggingface" | "gguf"
  std::string architecture; // e.g. "LlamaForCausalLM"
  std::string family;       // "llama" | "mistral" | "qwen2"
  int64_t parameters = 0;
  int64_t layers = 0;
  int64_t hiddenSize = 0;
  int64_t intermediateSize = 0;
  int64_t heads = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
  int64_t vocabSize = 0;
  int64_t contextLength = 0;
  double ropeTheta = 0;
  std::string ropeScaling; // "none" | "linear x2" | "llama3 x8 ..."
  bool tiedEmbeddings = false;
  bool attentionBias = false;
  std::string storedDtype;   // in the file(s)
  std::string computeDtype;  // "f32" | "bf16" | "f16"
  std::string device;        // "cpu" | "cuda:0"
  std::string tokenizerKind; // "none" when the model folder has no tokenizer
  int64_t bosTokenId = -1;
  std::vector<int64_t> eosTokenIds;
  int64_t weightBytes = 0;     // resident weights in the compute dtype
  int64_t kvBytesPerToken = 0; // KV cache per token per sequence

  // The LoRA adapter on top, if any (adapterPath empty = none).
  std::string adapterPath;
  std::string adapterBase; // base_model_name_or_path as the adapter wrote it
  int64_t adapterRank = 0;
  double adapterAlpha = 0;
  double adapterScale = 0; // alpha / r, or alpha / sqrt(r) with rsLoRA
  bool adapterRsLora = false;
  std::string adapterTargets; // "q_proj,v_proj" or the regex as written
  int64_t adapterModules = 0; // projections adapted, all layers
  int64_t adapterParameters = 0;
  bool adapterMerged = false;
};

} // namespace poslab
