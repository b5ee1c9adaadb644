#include "core/tokenizer/TextNormalizer.h"

#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

std::pair<size_t, size_t> NormalizedText::originOf(size_t begin, size_t end, size_t base) const {
  if (origin.empty()) return {base + begin, base + end};
  if (begin >= end) return {base + (begin < origin.size() ? origin[begin].first : 0), base};
  // Inserted bytes are zero-width at the start of the byte after them, so the
  // first and last bytes bound the range.
  const size_t lo = origin[begin].first;
  const size_t hi = std::max<size_t>(lo, origin[end - 1].second);
  return {base + lo, base + hi};
}

void TextNormalizer::addPrepend(std::string prefix) {
  steps_.push_back({Kind::Prepend, std::move(prefix), {}});
}

void TextNormalizer::addPrependIfMissing(std::string prefix, When when) {
  steps_.push_back({Kind::PrependIfMissing, std::move(prefix), {}, when});
}

void TextNormalizer::addReplace(std::string pattern, std::string content) {
  if (pattern.empty()) fail("", "normalizer Replace", "empty pattern");
  steps_.push_back({Kind::Replace, std::move(pattern), std::move(content)});
}

void TextNormalizer::addUnicode(UnicodeNormalizer::Form form) {
  steps_.push_back({Kind::Unicode, {}, {}, When::Always, form});
}

NormalizedText TextNormalizer::apply(std::string_view input, bool firstFragment) const {
  NormalizedText out;
  out.text = std::string(input);
  if (steps_.empty()) return out;
  out.origin.resize(input.size());
  for (uint32_t i = 0; i < input.size(); ++i)
    out.origin[i] = {i, i + 1};
  for (const Step& step : steps_) {
    // HF normalizers skip empty strings (a Prepend on "" gives "").
    if (out.text.empty()) break;
    if (step.kind == Kind::Unicode) {
      UnicodeNormalizer::apply(step.form, out.text, out.origin);
      continue;
    }
    if (step.kind != Kind::Replace) {
      if (step.kind == Kind::PrependIfMissing &&
          (out.text.starts_with(step.a) || (step.when == When::FirstFragment && !firstFragment)))
        continue;
      const uint32_t at = out.origin.front().first;
      out.text.insert(0, step.a);
      out.origin.insert(out.origin.begin(), step.a.size(), {at, at});
      continue;
    }
    std::string text;
    std::vector<std::pair<uint32_t, uint32_t>> origin;
    size_t pos = 0;
    for (size_t found = out.text.find(step.a); found != std::string::npos;
         found = out.text.find(step.a, pos)) {
      text.append(out.text, pos, found - pos);
      origin.insert(origin.end(), out.origin.begin() + pos, out.origin.begin() + found);
      const std::pair<uint32_t, uint32_t> covered{out.origin[found].first,
                                                  out.origin[found + step.a.size() - 1].second};
      text += step.b;
      origin.insert(origin.end(), step.b.size(), covered);
      pos = found + step.a.size();
    }
    text.append(out.text, pos);
    origin.insert(origin.end(), out.origin.begin() + pos, out.origin.end());
    out.text = std::move(text);
    out.origin = std::move(origin);
  }
  return out;
}

} // namespace poslab
