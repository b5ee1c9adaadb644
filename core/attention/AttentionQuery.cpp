#include "core/attention/AttentionQuery.h"

#include "core/util/Error.h"

namespace poslab {

const char* attentionQueryName(AttentionQuery query) {
  switch (query) {
  case AttentionQuery::LastToken:
    return "last";
  case AttentionQuery::Question:
    return "question";
  case AttentionQuery::Answer:
    return "answer";
  }
  return "last";
}

AttentionQuery parseAttentionQuery(const std::string& name, const std::string& field) {
  for (AttentionQuery q : {AttentionQuery::LastToken, AttentionQuery::Question, AttentionQuery::Answer})
    if (name == attentionQueryName(q)) return q;
  fail("", field, "'" + name + "' is not one of last, question, answer");
}

} // namespace poslab
