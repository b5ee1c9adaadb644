#pragma once
// The text rewrites a tokenizer.json applies before splitting (HF normalizers
// `Prepend`, `Replace` with a string pattern, `NFC`/`NFD`/`NFKC`/`NFKD`), plus the prefix rules of
// the `ByteLevel` (add_prefix_space) and `Metaspace` (replacement +
// prepend_scheme) pre-tokenizers, which rewrite the text the same way. Every
// output byte remembers the input bytes it came from, so token offsets still
// point into the caller's text; inserted bytes cover nothing (begin == end).
#include "core/tokenizer/UnicodeNormalizer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

struct NormalizedText {
  std::string text;
  // Per byte of `text`: the input byte range it came from. Empty: identical to the input.
  std::vector<std::pair<uint32_t, uint32_t>> origin;
  // The input range that normalized bytes [begin, end) came from.
  std::pair<size_t, size_t> originOf(size_t begin, size_t end, size_t base) const;
};

class TextNormalizer {
public:
  enum class When { Always, FirstFragment }; // FirstFragment: only text at input offset 0 (Metaspace "first")

  void addPrepend(std::string prefix);                                    // HF Prepend: unconditional
  void addPrependIfMissing(std::string prefix, When when = When::Always); // ByteLevel / Metaspace prefix
  void addReplace(std::string pattern, std::string content);              // HF Replace (string pattern)
  void addUnicode(UnicodeNormalizer::Form form);                          // HF NFC, NFD, NFKC, NFKD

  bool empty() const { return steps_.empty(); }
  // `firstFragment`: this text starts at offset 0 of the caller's input.
  NormalizedText apply(std::string_view text, bool firstFragment) const;

private:
  enum class Kind { Prepend, PrependIfMissing, Replace, Unicode };
  struct Step {
    Kind kind;
    std::string a, b;
    When when = When::Always;
    UnicodeNormalizer::Form form = UnicodeNormalizer::Form::NFC;
  };
  std::vector<Step> steps_;
};

} // namespace poslab
