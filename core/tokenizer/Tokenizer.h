#pragma once
// The tokenizer interface every vocabulary kind implements (SentencePiece
// tokenizer.model, GGUF-embedded SPM or BPE vocabularies, tokenizer.json, ...).
// Plain types only: app/ and widgets/ may include this header.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

// Byte range [begin, end) of the input text that a token covers. Sweeps need
// these to find each document's token span. A token that covers no input
// (BOS, a prefix space the normaliser added) has begin == end.
struct TokenSpan {
  size_t begin = 0;
  size_t end = 0;
};

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<TokenSpan> offsets; // one per id
};

struct EncodeOptions {
  bool addBos = false;       // prepend BOS (callers usually pass specialTokens().addBos)
  bool parseSpecial = false; // match special/control token texts (e.g. "<|eot_id|>") in the input
};

struct SpecialTokens {
  int32_t bos = -1; // -1: the vocabulary has none
  int32_t eos = -1;
  int32_t unk = -1;
  int32_t pad = -1;
  bool addBos = true;            // what the model's own config says to do
  bool addEos = false;           //
  std::vector<int32_t> extraEos; // further ids that end generation (e.g. <|eot_id|>)
};

class Tokenizer {
public:
  virtual ~Tokenizer() = default;

  virtual Encoding encode(std::string_view text, const EncodeOptions& options = {}) const = 0;
  // Ids back to UTF-8 text. Special/control tokens are skipped unless keepSpecial.
  virtual std::string decode(const std::vector<int32_t>& ids, bool keepSpecial = false) const = 0;
  // The raw vocabulary string of one id (e.g. "▁the", "<0x0A>", "Ġworld").
  virtual std::string piece(int32_t id) const = 0;
  virtual std::optional<int32_t> pieceToId(std::string_view piece) const = 0;
  virtual int32_t vocabSize() const = 0;
  // Short kind name shown by `poslab-cli info`: "sentencepiece", "gguf-spm", "bpe", ...
  virtual std::string kind() const = 0;

  const SpecialTokens& specialTokens() const { return special_; }
  void setSpecialTokens(const SpecialTokens& special) { special_ = special; }

private:
  SpecialTokens special_;
};

} // namespace poslab
