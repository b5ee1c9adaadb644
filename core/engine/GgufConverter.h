#pragma once
// `poslab-cli convert`: a GGUF model -> a Hugging Face folder (model.safetensors
// with transformers' names and q/k row order, config.json, a SentencePiece
// tokenizer.model built from the GGUF vocabulary, tokenizer_config.json,
// generation_config.json). Both forms then give identical logits and ids.
#include <string>

namespace poslab {

class GgufConverter {
public:
  // dtype: "f32" | "bf16" | "f16" for the written weights (Q8_0 is dequantised).
  static void convert(const std::string& ggufPath, const std::string& outDir, const std::string& dtype);
};

} // namespace poslab
