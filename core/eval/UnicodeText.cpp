#include "core/eval/UnicodeText.h"

#include "core/eval/UnicodeTables.h"

#include <algorithm>
#include <span>

namespace poslab {

namespace {

using unicode_tables::CodePointRange;

bool inRanges(std::span<const CodePointRange> ranges, char32_t cp) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                             [](char32_t c, const CodePointRange& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->last;
}

char32_t simpleLower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  auto runs = unicode_tables::lowerRuns();
  auto it = std::upper_bound(runs.begin(), runs.end(), cp,
                             [](char32_t c, const unicode_tables::LowerRun& r) { return c < r.first; });
  if (it == runs.begin()) return cp;
  const auto& run = *std::prev(it);
  if (cp > run.last || (cp - run.first) % static_cast<char32_t>(run.stride) != 0) return cp;
  return static_cast<char32_t>(static_cast<int64_t>(cp) + run.delta);
}

constexpr char32_t kCapitalSigma = 0x3A3;
constexpr char32_t kSmallSigma = 0x3C3;
constexpr char32_t kFinalSigma = 0x3C2;

// CPython's handle_capital_sigma: Σ is final when a cased letter precedes it and
// none follows, skipping case-ignorable code points on both sides.
bool isFinalSigma(std::u32string_view text, size_t i) {
  size_t j = i;
  while (j > 0 && UnicodeText::isCaseIgnorable(text[j - 1]))
    --j;
  if (j == 0 || !UnicodeText::isCased(text[j - 1])) return false;
  size_t k = i + 1;
  while (k < text.size() && UnicodeText::isCaseIgnorable(text[k]))
    ++k;
  return k == text.size() || !UnicodeText::isCased(text[k]);
}

} // namespace

std::u32string UnicodeText::decode(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    const auto b0 = static_cast<unsigned char>(utf8[i]);
    size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      len = 1, cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= utf8.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(utf8[i + k]);
      ok = (b & 0xC0) == 0x80;
      cp = (cp << 6) | (b & 0x3F);
    }
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.push_back(cp);
      i += len;
    } else {
      out.push_back(0xFFFD);
      i += 1;
    }
  }
  return out;
}

std::string UnicodeText::encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

std::u32string UnicodeText::lower(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t cp = text[i];
    if (cp == 0x130) { // İ lower-cases to "i" + COMBINING DOT ABOVE
      out.push_back(U'i');
      out.push_back(0x307);
    } else if (cp == kCapitalSigma) {
      out.push_back(isFinalSigma(text, i) ? kFinalSigma : kSmallSigma);
    } else {
      out.push_back(simpleLower(cp));
    }
  }
  return out;
}

bool UnicodeText::isSpace(char32_t cp) {
  return inRanges(unicode_tables::spaceRanges(), cp);
}
bool UnicodeText::isWord(char32_t cp) {
  return inRanges(unicode_tables::wordRanges(), cp);
}
bool UnicodeText::isCased(char32_t cp) {
  return inRanges(unicode_tables::casedRanges(), cp);
}
bool UnicodeText::isCaseIgnorable(char32_t cp) {
  return inRanges(unicode_tables::ignorableRanges(), cp);
}

} // namespace poslab
