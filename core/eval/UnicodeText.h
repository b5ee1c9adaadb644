#pragma once
// The few pieces of Python's str behaviour that the lost-in-the-middle metric uses,
// over UTF-8 text: decoding, str.lower() (incl. U+0130 and the Final_Sigma rule),
// str.isspace() and the `regex` module's \w. Tables: UnicodeTables.cpp (generated).
#include <string>
#include <string_view>

namespace poslab {

class UnicodeText {
public:
  // Invalid UTF-8 bytes decode to U+FFFD each (model output can end mid-character).
  static std::u32string decode(std::string_view utf8);
  static std::string encode(std::u32string_view text);

  // Python's str.lower().
  static std::u32string lower(std::u32string_view text);
  static std::string lower(std::string_view utf8) { return encode(lower(decode(utf8))); }

  static bool isSpace(char32_t cp); // str.isspace(): what str.split() splits on
  static bool isWord(char32_t cp);  // regex's \w (Unicode), which decides \b
  static bool isCased(char32_t cp);
  static bool isCaseIgnorable(char32_t cp);
};

} // namespace poslab
