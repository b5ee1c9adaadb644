#pragma once
// GPT-2's reversible byte <-> unicode alphabet (openai/gpt-2 encoder.py,
// bytes_to_unicode): printable Latin-1 bytes stand for themselves, the other 68
// bytes are shifted to U+0100..U+0143 (so " " is "Ġ" U+0120, "\n" is "Ċ" U+010A).
// Byte-level BPE vocabularies store every token in this form.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace poslab {

class ByteLevelAlphabet {
public:
  // The UTF-8 text of the code point that stands for `byte`.
  static const std::string& symbol(uint8_t byte);
  // Bytes back from a vocabulary string. Code points outside the alphabet are
  // copied as their UTF-8 (added tokens such as "<|endoftext|>" are plain ASCII
  // and map to themselves anyway). Returns false if any code point was not in
  // the alphabet.
  static bool toBytes(std::string_view symbols, std::string& out);
  // The byte a code point stands for, or -1.
  static int byteOf(char32_t codePoint);

private:
  struct Tables {
    std::array<std::string, 256> symbols;
    std::array<int16_t, 0x144> bytes; // code point -> byte, -1 outside the alphabet
  };
  static const Tables& tables();
};

} // namespace poslab
