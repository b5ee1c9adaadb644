#pragma once
// Minimal UTF-8 helpers for the tokenizers. Invalid sequences never throw: a
// byte that does not start a valid sequence is returned as one code point in
// U+DC80..U+DCFF (Python's surrogateescape), so no byte is ever lost.
#include <string>
#include <string_view>

namespace poslab {

class Utf8 {
public:
  // Decodes the code point at `pos` and advances `pos` past it (at least 1 byte).
  static char32_t next(std::string_view text, size_t& pos);
  // Length in bytes of the valid sequence at `pos`, or 0 if it is not valid.
  static size_t validLength(std::string_view text, size_t pos);
  static std::string encode(char32_t codePoint);
  // Valid UTF-8 with every invalid sequence replaced by one U+FFFD, exactly as
  // Rust's String::from_utf8_lossy (the "maximal subpart" rule of Unicode
  // 15, ch. 3): a truncated but otherwise valid prefix of a sequence counts as
  // one invalid sequence, any other bad byte as one on its own.
  static std::string lossy(std::string_view bytes);
  static bool isEscapedByte(char32_t codePoint) { return codePoint >= 0xDC80 && codePoint <= 0xDCFF; }
};

} // namespace poslab
