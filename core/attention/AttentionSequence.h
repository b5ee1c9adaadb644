#pragma once
// The token sequence one attention analysis feeds to the model, and the query
// rows it averages over. For the "answer" query it holds the greedy answer too.
#include "core/attention/AttentionQuery.h"
#include "core/prompt/TokenSpans.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

struct AttentionSequence {
  AttentionQuery query = AttentionQuery::LastToken;
  std::vector<int32_t> ids; // prompt ids, then (answer) the answer ids but the last
  size_t promptTokens = 0;
  TokenRange queryRows; // token indices [first, last) whose attention rows are averaged
  // AttentionQuery::Answer only:
  std::vector<int32_t> answerIds; // every generated id, the stop token (EOS, "\n") included
  std::string answerText;         // decoded, cut before a stop string
  std::string stopReason;         // "eos" | "stop-string" | "length"
};

} // namespace poslab
