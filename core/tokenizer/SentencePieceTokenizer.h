#pragma once
// A SentencePiece `tokenizer.model` (Llama 2, Mistral v3, ...), encoded by the
// real libsentencepiece through the run-time-loaded shim (SpmShimLibrary), so
// it also works inside processes that link LibTorch.
//
// Offsets are sentencepiece's own: each piece's byte range in the input. The
// dummy-prefix "▁" is folded into the first piece ("▁Hello" covers "Hello");
// a piece made of that "▁" alone is zero-width. With byte fallback, the pieces
// of one character are zero-width except the last, which covers the character.
#include "core/tokenizer/SpecialTextSplitter.h"
#include "core/tokenizer/SpmPieceType.h"
#include "core/tokenizer/Tokenizer.h"

#include <memory>
#include <string>

struct PoslabSpmModel;

namespace poslab {

class SpmShimLibrary;

class SentencePieceTokenizer final : public Tokenizer {
public:
  // Throws poslab::Error: "<path>: not a SentencePiece model (...)", or the shim is missing.
  static std::unique_ptr<SentencePieceTokenizer> fromFile(const std::string& path);
  ~SentencePieceTokenizer() override;
  SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
  SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

  // parseSpecial: CONTROL piece texts in the input become their ids; the text
  // between them is encoded separately (each part gets its own dummy prefix).
  Encoding encode(std::string_view text, const EncodeOptions& options = {}) const override;
  std::string decode(const std::vector<int32_t>& ids, bool keepSpecial = false) const override;
  std::string piece(int32_t id) const override;
  std::optional<int32_t> pieceToId(std::string_view piece) const override;
  int32_t vocabSize() const override { return vocabSize_; }
  std::string kind() const override { return "sentencepiece"; }

  float score(int32_t id) const;
  SpmPieceType pieceType(int32_t id) const;
  const std::string& path() const { return path_; }

private:
  SentencePieceTokenizer(std::shared_ptr<const SpmShimLibrary> shim, PoslabSpmModel* model, std::string path);
  void encodeText(std::string_view text, size_t offset, Encoding& out) const;
  std::string decodeRun(const std::vector<int32_t>& ids) const;

  std::shared_ptr<const SpmShimLibrary> shim_;
  PoslabSpmModel* model_ = nullptr;
  std::string path_;
  int32_t vocabSize_ = 0;
  SpecialTextSplitter controlTexts_;
};

} // namespace poslab
