#pragma once
// Trains a SentencePiece model with sentencepiece's own trainer
// (libsentencepiece_train), reached through the dlopen'ed shim like every other
// sentencepiece call (BUILD-NOTES.md, trap 2: its protobuf must stay isolated
// from LibTorch's). Single-threaded and seeded, so the same sentences and
// options give the same tokenizer.model bytes.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace poslab {

class SentencePieceTrainer {
public:
  // spm_train's options (e.g. {"vocab_size", "320"}, {"model_type", "bpe"});
  // no "input": the sentences are passed in memory.
  using Options = std::map<std::string, std::string>;

  // Trains on `sentences` (one per element; none may contain '\n' — a newline
  // the tokenizer must know goes into user_defined_symbols) and returns the
  // serialized model (the bytes of a tokenizer.model). Throws poslab::Error
  // with sentencepiece's message.
  static std::string train(const std::vector<std::string>& sentences, const Options& options, uint32_t seed);
};

} // namespace poslab
