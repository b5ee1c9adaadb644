#pragma once
// Unicode normalisation forms (HF normalizers NFC, NFD, NFKC, NFKD) on UTF-8
// text that remembers where each byte came from, done by utf8proc (Debian's
// libutf8proc), not by tables of our own.
//
// The text is cut into segments that normalise independently: a segment starts
// at a character that no normalisation can join to the one before it (ASCII, or
// a starter that is not the second half of a composition, not a Hangul vowel or
// trailing jamo, and whose decomposition does not begin with a combining mark).
// Each segment is normalised whole and all its output bytes map to all of its
// input bytes, so offsets stay exact at segment edges (in practice a segment is
// one character with its combining marks). Bytes that are not valid UTF-8 are
// left as they are.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poslab {

class UnicodeNormalizer {
public:
  enum class Form { NFC, NFD, NFKC, NFKD };

  // "NFC", "NFD", "NFKC", "NFKD" (the tokenizer.json type names).
  static const char* name(Form form);
  // `origin[i]` is the caller's input byte range of text byte i; both are
  // rewritten together. `origin` must have one entry per byte of `text`.
  static void apply(Form form, std::string& text, std::vector<std::pair<uint32_t, uint32_t>>& origin);
  // The normalised text alone.
  static std::string apply(Form form, std::string_view text);
};

} // namespace poslab
