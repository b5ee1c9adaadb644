#include "core/eval/AnswerNormalizer.h"

#include "core/eval/UnicodeText.h"

namespace poslab {

namespace {

// Python's string.punctuation.
bool isAsciiPunctuation(char32_t cp) {
  static constexpr std::u32string_view kPunctuation = U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
  return kPunctuation.find(cp) != std::u32string_view::npos;
}

bool isArticle(std::u32string_view word) {
  return word == U"a" || word == U"an" || word == U"the";
}

} // namespace

std::string AnswerNormalizer::normalize(std::string_view text) {
  const std::u32string lowered = UnicodeText::lower(UnicodeText::decode(text));

  std::u32string noPunct;
  noPunct.reserve(lowered.size());
  for (char32_t cp : lowered)
    if (!isAsciiPunctuation(cp)) noPunct.push_back(cp);

  // \b(a|an|the)\b matches exactly the maximal runs of \w characters that spell an
  // article; each becomes one space.
  std::u32string noArticles;
  noArticles.reserve(noPunct.size());
  for (size_t i = 0; i < noPunct.size();) {
    if (!UnicodeText::isWord(noPunct[i])) {
      noArticles.push_back(noPunct[i++]);
      continue;
    }
    size_t end = i;
    while (end < noPunct.size() && UnicodeText::isWord(noPunct[end]))
      ++end;
    const std::u32string_view word(noPunct.data() + i, end - i);
    if (isArticle(word))
      noArticles.push_back(U' ');
    else
      noArticles.append(word);
    i = end;
  }

  std::u32string collapsed;
  collapsed.reserve(noArticles.size());
  bool pendingSpace = false;
  for (char32_t cp : noArticles) {
    if (UnicodeText::isSpace(cp)) {
      pendingSpace = !collapsed.empty();
      continue;
    }
    if (pendingSpace) collapsed.push_back(U' ');
    pendingSpace = false;
    collapsed.push_back(cp);
  }
  return UnicodeText::encode(collapsed);
}

} // namespace poslab
