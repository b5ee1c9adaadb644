#pragma once
// A BuiltPrompt's byte spans as token index ranges, through the per-token byte
// offsets of an Encoding of the prompt's text. A token belongs to a span when
// its bytes overlap it, so a token that straddles a boundary (e.g. a merged
// "\n" + "Document") is in both neighbours' ranges.
#include "core/prompt/BuiltPrompt.h"
#include "core/tokenizer/Tokenizer.h"

#include <cstddef>
#include <vector>

namespace poslab {

// Tokens [first, last).
struct TokenRange {
  size_t first = 0;
  size_t last = 0;
  size_t size() const { return last - first; }
  bool operator==(const TokenRange&) const = default;
};

struct TokenSpans {
  std::vector<TokenRange> documents;
  std::vector<TokenRange> questions;
  TokenRange question;
  TokenRange answer;
  TokenRange user;

  // The tokens overlapping `span`. Tokens that cover no bytes (BOS) never
  // overlap. With no overlapping token (an empty span) the range is empty and
  // sits before the first token that does not end at or before span.begin.
  static TokenRange locate(const Encoding& encoding, ByteSpan span);
  static TokenSpans of(const Encoding& encoding, const BuiltPrompt& prompt);
};

} // namespace poslab
