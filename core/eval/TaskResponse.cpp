#include "core/eval/TaskResponse.h"

#include "core/eval/AnswerScorer.h"

#include <algorithm>
#include <cctype>

namespace poslab {

namespace {

constexpr std::string_view kCue = "the answer is";

// The offset just past the last "the answer is" in any case; npos without one.
size_t afterLastCue(std::string_view text) {
  if (text.size() < kCue.size()) return std::string_view::npos;
  for (size_t at = text.size() - kCue.size() + 1; at-- > 0;) {
    bool same = true;
    for (size_t i = 0; i < kCue.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(text[at + i])) == kCue[i];
    if (same) return at + kCue.size();
  }
  return std::string_view::npos;
}

} // namespace

bool TaskResponse::complete(TaskKind kind, std::string_view generated) {
  if (kind != TaskKind::TwoHop) return generated.find('\n') != std::string_view::npos;
  const size_t cue = afterLastCue(generated);
  return cue != std::string_view::npos && generated.find('\n', cue) != std::string_view::npos;
}

std::string TaskResponse::prediction(TaskKind kind, std::string_view generated) {
  if (kind != TaskKind::TwoHop) return std::string(generated.substr(0, generated.find('\n')));
  const size_t cue = afterLastCue(generated);
  if (cue == std::string_view::npos) return std::string(generated);
  return std::string(generated.substr(0, generated.find('\n', cue)));
}

std::string_view TaskResponse::answerAfterCue(std::string_view prediction) {
  const size_t cue = afterLastCue(prediction);
  if (cue == std::string_view::npos) return {};
  std::string_view rest = prediction.substr(cue);
  rest = rest.substr(0, rest.find('\n'));
  while (!rest.empty() && (rest.front() == ':' || std::isspace(static_cast<unsigned char>(rest.front()))))
    rest.remove_prefix(1);
  return rest;
}

double TaskResponse::score(const RetrievalExample& ex, std::string_view prediction) {
  switch (ex.kind) {
  case TaskKind::Qa:
    return AnswerScorer::bestSubspanEm(prediction, ex.answers);
  case TaskKind::Kv:
    return AnswerScorer::kvSubstring(prediction, ex.value);
  case TaskKind::TwoHop:
    return exactMatch(ex, prediction);
  }
  return 0;
}

double TaskResponse::exactMatch(const RetrievalExample& ex, std::string_view prediction) {
  switch (ex.kind) {
  case TaskKind::Qa:
    return AnswerScorer::exactMatch(AnswerScorer::firstLine(prediction), ex.answers);
  case TaskKind::Kv:
    return prediction == ex.value ? 1.0 : 0.0;
  case TaskKind::TwoHop: {
    const std::string_view answer = answerAfterCue(prediction);
    return answer.empty() ? 0.0 : AnswerScorer::exactMatch(answer, ex.answers);
  }
  }
  return 0;
}

} // namespace poslab
