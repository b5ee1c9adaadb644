#pragma once
// Which query rows an attention profile averages over (METHOD.md §4 item 2).
#include <string>

namespace poslab {

enum class AttentionQuery {
  LastToken, // the last prompt token: the row that predicts the first answer token
  Question,  // the tokens of the question (its last occurrence, the one the answer follows)
  Answer,    // the rows that predicted the greedy answer's tokens (AttentionAnalyzer.h)
};

const char* attentionQueryName(AttentionQuery query); // "last" | "question" | "answer"
// "last" | "question" | "answer"; poslab::Error naming `field` otherwise.
AttentionQuery parseAttentionQuery(const std::string& name, const std::string& field = "query");

} // namespace poslab
