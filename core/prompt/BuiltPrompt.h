#pragma once
// A rendered prompt and where its parts are, as byte offsets into `text`. Sweeps
// and attention analysis map these to token ranges (TokenSpans).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

// Bytes [begin, end) of a prompt's text.
struct ByteSpan {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  bool operator==(const ByteSpan&) const = default;
};

struct BuiltPrompt {
  std::string text; // chat prefix + user prompt + chat suffix

  // QA: each document's whole line "Document [n](Title: t) text", in prompt order.
  // KV: each pair's "\"key\": \"value\"" (without the "{", " ", ",\n", "}" around it).
  std::vector<ByteSpan> documents;
  // Every occurrence of the question (QA) or of the queried key (KV), the bare
  // substituted text, in order; query-aware templates have two.
  std::vector<ByteSpan> questions;
  ByteSpan question; // the last occurrence: the one the answer follows
  // The answer cue: the user prompt's last line after its last placeholder
  // ("Answer:", "Corresponding value:"); empty at the end of the user prompt if
  // the template ends with a placeholder.
  ByteSpan answer;
  ByteSpan user; // the user prompt without the chat prefix and suffix

  std::string_view at(ByteSpan span) const { return std::string_view(text).substr(span.begin, span.size()); }
};

} // namespace poslab
