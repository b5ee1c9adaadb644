#include "core/tokenizer/UnicodeNormalizer.h"

#include "core/tokenizer/Utf8.h"
#include "core/util/Error.h"

#include <utf8proc.h>

#include <initializer_list>

namespace poslab {

namespace {

utf8proc_option_t optionsOf(UnicodeNormalizer::Form form) {
  // As utf8proc_NFC() etc.: STABLE keeps the result stable under future Unicode versions.
  switch (form) {
  case UnicodeNormalizer::Form::NFC:
    return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  case UnicodeNormalizer::Form::NFD:
    return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE);
  case UnicodeNormalizer::Form::NFKC:
    return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
  case UnicodeNormalizer::Form::NFKD:
    return static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
  }
  return UTF8PROC_STABLE;
}

bool isHangulVowelOrTrail(char32_t cp) {
  // Jamo V (U+1161..U+1175) and T (U+11A8..U+11C2) compose algorithmically with
  // the syllable before them, so they never start a segment.
  return (cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11A8 && cp <= 0x11C2);
}

bool isCompositionSecond(const utf8proc_property_t* p) {
  // utf8proc 2.8 marks the second half of a composition pair with bit 15 of
  // comb_index (UINT16_MAX: part of no pair).
  return p->comb_index != UINT16_MAX && (p->comb_index & 0x8000) != 0;
}

// True if no normalisation with `options` can join code point `cp` to what
// precedes it: neither it nor the first code point of its decomposition is a
// combining mark or the second half of a composition (U+0F73 and the halfwidth
// voiced marks U+FF9E/F decompose to combining marks, for example).
bool startsSegment(char32_t cp, utf8proc_option_t options) {
  if (cp < 0x80) return true;
  const auto c = static_cast<utf8proc_int32_t>(cp);
  utf8proc_int32_t decomposed[32];
  int boundClass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      c, decomposed, 32, static_cast<utf8proc_option_t>((options & UTF8PROC_COMPAT) | UTF8PROC_DECOMPOSE),
      &boundClass);
  for (const utf8proc_int32_t x : {c, n > 0 ? decomposed[0] : c}) {
    const utf8proc_property_t* p = utf8proc_get_property(x);
    if (p->combining_class != 0 || isCompositionSecond(p) || isHangulVowelOrTrail(static_cast<char32_t>(x)))
      return false;
  }
  return true;
}

} // namespace

const char* UnicodeNormalizer::name(Form form) {
  switch (form) {
  case Form::NFC:
    return "NFC";
  case Form::NFD:
    return "NFD";
  case Form::NFKC:
    return "NFKC";
  case Form::NFKD:
    return "NFKD";
  }
  return "?";
}

void UnicodeNormalizer::apply(Form form, std::string& text,
                              std::vector<std::pair<uint32_t, uint32_t>>& origin) {
  const utf8proc_option_t options = optionsOf(form);
  std::string out;
  std::vector<std::pair<uint32_t, uint32_t>> outOrigin;
  out.reserve(text.size());
  outOrigin.reserve(text.size());
  std::vector<utf8proc_int32_t> buffer(64);
  const std::string_view in = text;
  size_t pos = 0;
  while (pos < in.size()) {
    const auto lead = static_cast<unsigned char>(in[pos]);
    const size_t length = Utf8::validLength(in, pos);
    // ASCII is its own normal form in every form, and invalid bytes are kept:
    // copy both through (a combining mark after an ASCII letter starts no
    // segment, so it is handled with that letter below).
    size_t end = pos + (length == 0 ? 1 : length);
    while (length > 0 && end < in.size()) {
      size_t next = end;
      if (Utf8::validLength(in, next) == 0) break;
      if (startsSegment(Utf8::next(in, next), options)) break;
      end = next;
    }
    if (length == 0 || (lead < 0x80 && end == pos + 1)) {
      out.append(in.substr(pos, end - pos));
      outOrigin.insert(outOrigin.end(), origin.begin() + static_cast<std::ptrdiff_t>(pos),
                       origin.begin() + static_cast<std::ptrdiff_t>(end));
      pos = end;
      continue;
    }
    const auto* segment = reinterpret_cast<const utf8proc_uint8_t*>(in.data() + pos);
    const auto segmentLength = static_cast<utf8proc_ssize_t>(end - pos);
    utf8proc_ssize_t n = utf8proc_decompose(segment, segmentLength, buffer.data(),
                                            static_cast<utf8proc_ssize_t>(buffer.size()), options);
    if (n > static_cast<utf8proc_ssize_t>(buffer.size())) {
      buffer.resize(static_cast<size_t>(n));
      n = utf8proc_decompose(segment, segmentLength, buffer.data(), n, options);
    }
    if (n < 0) fail("", std::string("normalizer ") + name(form), utf8proc_errmsg(n));
    n = utf8proc_normalize_utf32(buffer.data(), n, options); // composes for NFC / NFKC
    if (n < 0) fail("", std::string("normalizer ") + name(form), utf8proc_errmsg(n));
    const std::pair<uint32_t, uint32_t> covered{origin[pos].first, origin[end - 1].second};
    const size_t before = out.size();
    for (utf8proc_ssize_t i = 0; i < n; ++i) {
      utf8proc_uint8_t bytes[4];
      const utf8proc_ssize_t w = utf8proc_encode_char(buffer[static_cast<size_t>(i)], bytes);
      out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(w));
    }
    outOrigin.insert(outOrigin.end(), out.size() - before, covered);
    pos = end;
  }
  text = std::move(out);
  origin = std::move(outOrigin);
}

std::string UnicodeNormalizer::apply(Form form, std::string_view text) {
  std::string out(text);
  std::vector<std::pair<uint32_t, uint32_t>> origin(text.size());
  for (uint32_t i = 0; i < text.size(); ++i)
    origin[i] = {i, i + 1};
  apply(form, out, origin);
  return out;
}

} // namespace poslab
