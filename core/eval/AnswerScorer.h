#pragma once
// The per-record scores of METHOD.md §1, as lost-in-the-middle computes them
// (scripts/evaluate_qa_responses.py, evaluate_kv_responses.py, metrics.py).
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

class AnswerScorer {
public:
  // The text before the first "\n" (only "\n" splits, as in Python's split("\n")).
  static std::string_view firstLine(std::string_view prediction);

  // best_subspan_em: 1 when some normalised gold answer is a substring of the
  // normalised first line of the prediction, else 0. As upstream, an answer that
  // normalises to "" (e.g. "The") matches anything.
  static double bestSubspanEm(std::string_view prediction, const std::vector<std::string>& answers);

  // SQuAD exact match: normalised prediction equals some normalised answer. The
  // prediction is used whole (callers cut it, e.g. after "The answer is").
  static double exactMatch(std::string_view prediction, const std::vector<std::string>& answers);

  // KV retrieval: 1 when the lower-cased value occurs in the lower-cased output
  // (the whole output; upstream does not cut KV answers at a newline).
  static double kvSubstring(std::string_view prediction, std::string_view value);
};

} // namespace poslab
