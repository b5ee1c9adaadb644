#include "core/prompt/TokenSpans.h"

namespace poslab {

TokenRange TokenSpans::locate(const Encoding& encoding, ByteSpan span) {
  const auto& offsets = encoding.offsets;
  size_t insertAt = offsets.size();
  bool found = false;
  TokenRange range;
  for (size_t i = 0; i < offsets.size(); ++i) {
    const TokenSpan& t = offsets[i];
    if (insertAt == offsets.size() && t.begin < t.end && t.end > span.begin) insertAt = i;
    if (span.begin < span.end && t.begin < t.end && t.begin < span.end && t.end > span.begin) {
      if (!found) range.first = i;
      range.last = i + 1;
      found = true;
    }
  }
  if (!found) range = {insertAt, insertAt};
  return range;
}

TokenSpans TokenSpans::of(const Encoding& encoding, const BuiltPrompt& prompt) {
  TokenSpans s;
  for (const auto& d : prompt.documents)
    s.documents.push_back(locate(encoding, d));
  for (const auto& q : prompt.questions)
    s.questions.push_back(locate(encoding, q));
  s.question = locate(encoding, prompt.question);
  s.answer = locate(encoding, prompt.answer);
  s.user = locate(encoding, prompt.user);
  return s;
}

} // namespace poslab
