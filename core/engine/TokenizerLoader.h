#pragma once
// Finds and opens a model's tokenizer: in a Hugging Face folder tokenizer.json
// (preferred, as transformers does), tokenizer.model, or encoder.json+vocab.bpe;
// in a GGUF file its embedded vocabulary. Special-token settings are then taken
// from tokenizer_config.json / generation_config.json / config.json.
#include "core/tokenizer/Tokenizer.h"

#include <memory>
#include <string>

namespace poslab {

class WeightSource;

class TokenizerLoader {
public:
  // nullptr when the model ships no tokenizer (ids-only use still works).
  static std::unique_ptr<Tokenizer> load(const std::string& modelPath, const WeightSource* source = nullptr);
  // Where load() looked, for error messages.
  static std::string searchedFiles();
};

} // namespace poslab
