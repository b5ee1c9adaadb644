#pragma once
// The SentencePiece-BPE vocabulary embedded in a GGUF file
// (tokenizer.ggml.model = "llama"), tokenised by our own implementation of
// llama.cpp's llm_tokenizer_spm (no sentencepiece library):
//   1. a "▁" dummy prefix is added to each text fragment that starts the input
//      or follows a special token; every space becomes "▁";
//   2. the text is split into UTF-8 characters and the adjacent pair whose
//      joined text is the highest-scoring piece is merged, repeatedly
//      (ties: leftmost first), as sentencepiece's bpe_model.cc does;
//   3. a symbol that is no piece is re-split along its merge history, and
//      bytes no piece covers become <0xNN> byte-fallback tokens.
// USER_DEFINED piece texts are always matched before step 1; CONTROL texts too
// when EncodeOptions::parseSpecial.
//
// Offsets: byte ranges of the input. The dummy prefix is zero-width and sits
// at the start of its fragment, so "▁Hello" covers "Hello" and a lone dummy
// "▁" token is empty; a "▁" made from a space covers that space; each byte
// token covers its own byte. Together the spans tile the input in order.
#include "core/tokenizer/SentencePieceModelWriter.h"
#include "core/tokenizer/SpecialTextSplitter.h"
#include "core/tokenizer/SpmPieceType.h"
#include "core/tokenizer/Tokenizer.h"

#include <array>
#include <memory>
#include <string>
#include <unordered_map>

namespace poslab {

class GgufFile;

class GgufSpmTokenizer final : public Tokenizer {
public:
  // Reads tokenizer.ggml.{model,tokens,scores,token_type} and the optional
  // bos/eos/unknown/padding ids, add_bos/add_eos_token, add_space_prefix.
  // Throws poslab::Error naming the file and the key.
  static std::unique_ptr<GgufSpmTokenizer> fromGguf(const GgufFile& gguf);

  Encoding encode(std::string_view text, const EncodeOptions& options = {}) const override;
  std::string decode(const std::vector<int32_t>& ids, bool keepSpecial = false) const override;
  std::string piece(int32_t id) const override;
  std::optional<int32_t> pieceToId(std::string_view piece) const override;
  int32_t vocabSize() const override { return static_cast<int32_t>(pieces_.size()); }
  std::string kind() const override { return "gguf-spm"; }

  float score(int32_t id) const;
  SpmPieceType pieceType(int32_t id) const;
  bool addsDummyPrefix() const { return addDummyPrefix_; }
  // The vocabulary as SentencePieceModelWriter takes it (for `poslab-cli convert`).
  SentencePieceModelSpec modelSpec() const;

private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using PieceMap = std::unordered_map<std::string, int32_t, Hash, std::equal_to<>>;

  GgufSpmTokenizer() = default;
  void encodeText(std::string_view text, size_t offset, bool dummyPrefix, Encoding& out) const;
  void checkId(int32_t id) const;

  std::string path_;
  std::vector<std::string> pieces_;    // [vocab]
  std::vector<float> scores_;          // [vocab]
  std::vector<SpmPieceType> types_;    // [vocab]
  PieceMap allPieces_;                 // every piece text -> id (last wins, as llama.cpp)
  PieceMap mergeable_;                 // pieces BPE may produce: Normal, UserDefined, Unused
  std::array<int32_t, 256> byteIds_{}; // <0xNN> -> id, or unk when missing
  std::vector<int16_t> byteValue_;     // [vocab] the byte of a Byte piece, else -1
  bool addDummyPrefix_ = true;
  SpecialTextSplitter userDefined_; // matched always
  SpecialTextSplitter specials_;    // UserDefined + Control (parseSpecial)
};

} // namespace poslab
