#pragma once
// Where a generated response ends and how it is scored, by task (METHOD.md §1
// and §2): QA and KV answers are one line (generation stops at the first
// newline, as lost-in-the-middle reads them); a two-hop answer ends a chain of
// thought, so generation runs on until the line holding "The answer is" ends,
// and the metric is SQuAD exact match on the text after that cue (R2).
#include "core/data/RetrievalExample.h"

#include <string>
#include <string_view>

namespace poslab {

class TaskResponse {
public:
  // Whether `generated` (the decoded response so far) is finished.
  static bool complete(TaskKind kind, std::string_view generated);
  // The prediction a metric reads: the first line (QA, KV), or everything up
  // to the end of the cue's line (two-hop).
  static std::string prediction(TaskKind kind, std::string_view generated);
  // The text after the last "The answer is" (any case; a ':' and spaces after
  // it skipped), up to the end of its line; "" without the cue.
  static std::string_view answerAfterCue(std::string_view prediction);

  // The record's score: best_subspan_em (QA), the KV substring test, or exact
  // match after the cue (two-hop), against any accepted answer.
  static double score(const RetrievalExample& example, std::string_view prediction);
  // Strict exact match: of the first line (QA), of the whole value (KV), after the cue (two-hop).
  static double exactMatch(const RetrievalExample& example, std::string_view prediction);
};

} // namespace poslab
