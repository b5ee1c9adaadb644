#include "core/tokenizer/ByteLevelAlphabet.h"

#include "core/tokenizer/Utf8.h"

namespace poslab {

const ByteLevelAlphabet::Tables& ByteLevelAlphabet::tables() {
  static const Tables t = [] {
    Tables out;
    out.bytes.fill(-1);
    int shifted = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + shifted++);
      out.symbols[b] = Utf8::encode(cp);
      out.bytes[cp] = static_cast<int16_t>(b);
    }
    return out;
  }();
  return t;
}

const std::string& ByteLevelAlphabet::symbol(uint8_t byte) {
  return tables().symbols[byte];
}

int ByteLevelAlphabet::byteOf(char32_t codePoint) {
  return codePoint < tables().bytes.size() ? tables().bytes[codePoint] : -1;
}

bool ByteLevelAlphabet::toBytes(std::string_view symbols, std::string& out) {
  bool all = true;
  for (size_t pos = 0; pos < symbols.size();) {
    const size_t start = pos;
    const char32_t cp = Utf8::next(symbols, pos);
    const int b = byteOf(cp);
    if (b >= 0) {
      out += static_cast<char>(b);
    } else {
      out.append(symbols.substr(start, pos - start));
      all = false;
    }
  }
  return all;
}

} // namespace poslab
