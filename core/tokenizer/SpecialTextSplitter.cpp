#include "core/tokenizer/SpecialTextSplitter.h"

#include <algorithm>

namespace poslab {

SpecialTextSplitter::SpecialTextSplitter(std::vector<std::pair<std::string, int32_t>> texts) {
  for (auto& entry : texts)
    if (!entry.first.empty()) texts_.push_back(std::move(entry));
  std::stable_sort(texts_.begin(), texts_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& entry : texts_)
    firstByte_[static_cast<unsigned char>(entry.first[0])] = true;
}

std::vector<SpecialTextSplitter::Fragment> SpecialTextSplitter::split(std::string_view text) const {
  std::vector<Fragment> fragments;
  size_t textStart = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const int32_t* match = nullptr;
    size_t matchLength = 0;
    if (firstByte_[static_cast<unsigned char>(text[pos])]) {
      for (const auto& [special, id] : texts_) {
        if (text.compare(pos, special.size(), special) == 0) {
          match = &id;
          matchLength = special.size();
          break;
        }
      }
    }
    if (!match) {
      ++pos;
      continue;
    }
    if (pos > textStart) fragments.push_back({textStart, pos, -1});
    fragments.push_back({pos, pos + matchLength, *match});
    pos += matchLength;
    textStart = pos;
  }
  if (text.size() > textStart) fragments.push_back({textStart, text.size(), -1});
  return fragments;
}

} // namespace poslab
