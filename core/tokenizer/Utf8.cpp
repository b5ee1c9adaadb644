#include "core/tokenizer/Utf8.h"

namespace poslab {

size_t Utf8::validLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0)
    length = 2, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0)
    length = 3, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0)
    length = 4, min = 0x10000;
  else
    return 0;
  if (pos + length > text.size()) return 0;
  char32_t cp = b0 & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

char32_t Utf8::next(std::string_view text, size_t& pos) {
  const size_t length = validLength(text, pos);
  const unsigned char b0 = static_cast<unsigned char>(text[pos]);
  if (length == 0) {
    ++pos;
    return 0xDC00 + b0;
  }
  char32_t cp = length == 1 ? b0 : b0 & (0x7F >> length);
  for (size_t i = 1; i < length; ++i)
    cp = (cp << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3F);
  pos += length;
  return cp;
}

std::string Utf8::encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

std::string Utf8::lossy(std::string_view bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(bytes.size());
  const size_t n = bytes.size();
  auto at = [&](size_t i) { return i < n ? static_cast<unsigned char>(bytes[i]) : 0x100u; };
  auto continuation = [&](size_t i) { return (at(i) & 0xC0) == 0x80 && at(i) <= 0xFF; };
  for (size_t i = 0; i < n;) {
    const unsigned b0 = at(i);
    if (b0 < 0x80) {
      out += static_cast<char>(b0);
      ++i;
      continue;
    }
    const size_t start = i;
    ++i;
    // Rust's core::str::validations: the second byte's range depends on the lead.
    bool valid = false;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      if (continuation(i)) ++i, valid = true;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      const unsigned b1 = at(i);
      const bool second = (b0 == 0xE0 && b1 >= 0xA0 && b1 <= 0xBF) ||
                          (b0 == 0xED && b1 >= 0x80 && b1 <= 0x9F) ||
                          (b0 != 0xE0 && b0 != 0xED && b1 >= 0x80 && b1 <= 0xBF);
      if (second) {
        ++i;
        if (continuation(i)) ++i, valid = true;
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      const unsigned b1 = at(i);
      const bool second = (b0 == 0xF0 && b1 >= 0x90 && b1 <= 0xBF) ||
                          (b0 == 0xF4 && b1 >= 0x80 && b1 <= 0x8F) ||
                          (b0 > 0xF0 && b0 < 0xF4 && b1 >= 0x80 && b1 <= 0xBF);
      if (second) {
        ++i;
        if (continuation(i)) {
          ++i;
          if (continuation(i)) ++i, valid = true;
        }
      }
    }
    if (valid)
      out.append(bytes.substr(start, i - start));
    else
      out += kReplacement; // bytes start..i are one maximal invalid subpart
  }
  return out;
}

} // namespace poslab
