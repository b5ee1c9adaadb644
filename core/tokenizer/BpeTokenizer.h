#pragma once
// Byte-pair-encoding tokenizers: GPT-2-style byte-level BPE (GPT-2, Llama 3,
// Qwen2, ...) and the SentencePiece-derived BPE of some tokenizer.json files
// (Metaspace "▁" + byte_fallback). Loaders: Hugging Face tokenizer.json,
// GPT-2's encoder.json + vocab.bpe, and GGUF vocabularies with
// tokenizer.ggml.model = "gpt2".
//
// encode():
//  1. Added tokens are cut out first (longest match at each position, as HF's
//     AddedVocabulary does). Tokens marked special (tokenizer.json
//     "special": true, GGUF CONTROL) are matched only with
//     EncodeOptions::parseSpecial. Non-special added tokens (tokenizer.json
//     "special": false, GGUF USER_DEFINED) are always matched, as HF's
//     tokenizer.encode() and llama.cpp always match them.
//  2. Each remaining fragment is normalized, split by the pre-tokenizer, and
//     every piece is merged pair by pair, lowest merge rank first (ties: the
//     leftmost pair). Results are cached per piece.
// Offsets are exact byte ranges of the input: byte-level BPE maps one input
// byte to one symbol. Text a normalizer inserted (a prefix space or "▁")
// covers no input bytes.
// decode() returns valid UTF-8 as Hugging Face tokenizers does: byte-level
// vocabularies join the bytes of all tokens and replace each invalid sequence
// by one U+FFFD (Rust's String::from_utf8_lossy); a run of <0xNN> byte-fallback
// tokens that is not valid UTF-8 gives one U+FFFD per byte (HF ByteFallback).
// Text that was valid UTF-8 decodes back to the exact bytes encode() saw.
#include "core/tokenizer/PreTokenizer.h"
#include "core/tokenizer/SpecialTextSplitter.h"
#include "core/tokenizer/TextNormalizer.h"
#include "core/tokenizer/Tokenizer.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace poslab {

class GgufFile;

class BpeTokenizer final : public Tokenizer {
public:
  struct AddedToken {
    std::string text;
    int32_t id = -1;
    bool special = true; // matched only with parseSpecial; false: always matched
    bool lstrip = false; // the token also swallows whitespace before it (HF AddedToken)
    bool rstrip = false; // ... and after it
  };

  // Everything a loader reads; the constructor checks it and builds the tables.
  struct Config {
    std::string source;                                      // file named in error messages
    std::vector<std::string> pieces;                         // id -> vocabulary string ("" = hole)
    std::vector<std::pair<std::string, std::string>> merges; // by rank, lowest first
    std::string mergesField = "merges";                      // the field named in merge errors
    std::vector<AddedToken> addedTokens;
    TextNormalizer normalizer; // incl. the ByteLevel / Metaspace prefix rules
    PreTokenizer preTokenizer;
    bool byteLevel = true;          // GPT-2 byte alphabet; false: characters as SentencePiece does
    bool byteFallback = false;      // characters not in the vocabulary become <0xNN> tokens
    bool fuseUnk = false;           // consecutive unknown characters become one unk token
    bool ignoreMerges = false;      // a piece that is itself in the vocabulary is one token (Llama 3)
    std::string spaceSymbol;        // not byte-level: what spaces became ("▁"); decoded back to " "
    bool stripLeadingSpace = false; // decoding: drop one leading space (a prefix the normalizer added)
    int32_t unk = -1;
  };

  // Throws poslab::Error naming config.source and the field for merges that
  // name unknown tokens or whose result is not in the vocabulary.
  explicit BpeTokenizer(Config config);

  // Hugging Face tokenizer.json with model.type "BPE".
  static std::unique_ptr<BpeTokenizer> fromTokenizerJson(const std::string& path);
  // GPT-2 layout: encoder.json (token -> id) and vocab.bpe (one merge per line;
  // a first line "#version..." is skipped, every other line is a merge, even
  // those starting with '#'). `pre` names the pre-tokenizer as GGUF does
  // (see preTokenizerNames()); GPT-2's own files need "gpt-2", Llama 3's
  // "llama-bpe"; "auto" picks one with preTokenizerForVocabulary().
  static std::unique_ptr<BpeTokenizer> fromGpt2Files(const std::string& encoderJson,
                                                     const std::string& vocabBpe,
                                                     const std::string& pre = "gpt-2");
  // A GGUF vocabulary with tokenizer.ggml.model = "gpt2".
  static std::unique_ptr<BpeTokenizer> fromGguf(const GgufFile& gguf);

  // tokenizer.ggml.pre names: "gpt-2"/"default" -> GPT-2, "llama-bpe"/"llama3"
  // -> Llama 3 (with ignore_merges, as llama.cpp), "qwen2" -> Qwen2. Returns
  // false for other names.
  static bool applyPreTokenizerPreset(const std::string& name, Config& config);
  static std::string preTokenizerNames(); // "gpt-2, default, llama-bpe, llama3, qwen2"
  // The preset whose regex made this vocabulary (id -> string, byte-level):
  // "llama-bpe" when its number tokens are exactly Llama 3's (all 1-3 digit
  // strings, nothing longer, none after a space), else "gpt-2".
  static std::string preTokenizerForVocabulary(const std::vector<std::string>& pieces);

  Encoding encode(std::string_view text, const EncodeOptions& options = {}) const override;
  std::string decode(const std::vector<int32_t>& ids, bool keepSpecial = false) const override;
  std::string piece(int32_t id) const override;
  std::optional<int32_t> pieceToId(std::string_view piece) const override;
  int32_t vocabSize() const override { return static_cast<int32_t>(pieces_.size()); }
  std::string kind() const override { return "bpe"; }

  const std::vector<AddedToken>& addedTokens() const { return config_.addedTokens; }
  bool isSpecial(int32_t id) const;

private:
  struct Merge {
    int32_t rank;
    int32_t result;
  };
  struct Symbol {
    int32_t id;
    uint32_t length; // bytes of normalized text covered
  };
  using Piece = std::vector<Symbol>;

  void encodeFragment(std::string_view fragment, size_t base, Encoding& out) const;
  void mergePiece(std::string_view piece, Piece& out) const;
  void initialSymbols(std::string_view piece, Piece& symbols) const;
  void applyMerges(Piece& symbols) const;

  Config config_;
  std::vector<std::string> pieces_;
  std::unordered_map<std::string, int32_t> ids_;
  std::unordered_map<uint64_t, Merge> merges_; // (left id << 32 | right id) -> rank, result
  std::vector<int32_t> byteSymbols_;           // byte -> id of its alphabet symbol or <0xNN> (-1: none)
  std::vector<int16_t> byteOfId_;              // not byte-level: the byte a <0xNN> id stands for, or -1
  std::vector<uint8_t> specialFlags_;          // per id: 1 = special added token
  std::vector<const AddedToken*> addedById_;   // per id: the added token, or null
  SpecialTextSplitter allAdded_, alwaysAdded_; // with / without the special ones

  mutable std::mutex cacheMutex_;
  mutable std::unordered_map<std::string, Piece> cache_;
};

} // namespace poslab
