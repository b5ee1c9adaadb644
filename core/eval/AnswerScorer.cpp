#include "core/eval/AnswerScorer.h"

#include "core/eval/AnswerNormalizer.h"
#include "core/eval/UnicodeText.h"

namespace poslab {

std::string_view AnswerScorer::firstLine(std::string_view prediction) {
  return prediction.substr(0, prediction.find('\n'));
}

double AnswerScorer::bestSubspanEm(std::string_view prediction, const std::vector<std::string>& answers) {
  // Upstream also strip()s the line; normalisation already drops outer whitespace.
  const std::string normalized = AnswerNormalizer::normalize(firstLine(prediction));
  for (const auto& answer : answers)
    if (normalized.find(AnswerNormalizer::normalize(answer)) != std::string::npos) return 1.0;
  return 0.0;
}

double AnswerScorer::exactMatch(std::string_view prediction, const std::vector<std::string>& answers) {
  const std::string normalized = AnswerNormalizer::normalize(prediction);
  for (const auto& answer : answers)
    if (normalized == AnswerNormalizer::normalize(answer)) return 1.0;
  return 0.0;
}

double AnswerScorer::kvSubstring(std::string_view prediction, std::string_view value) {
  return UnicodeText::lower(prediction).find(UnicodeText::lower(value)) != std::string::npos ? 1.0 : 0.0;
}

} // namespace poslab
