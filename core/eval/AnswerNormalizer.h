#pragma once
// SQuAD answer normalisation as lost-in-the-middle's metrics.py applies it
// (METHOD.md §1): lower-case (Python str.lower), drop the ASCII punctuation of
// Python's string.punctuation (Unicode punctuation such as "—" or "«" stays),
// replace the whole words a/an/the with a space (regex r"\b(a|an|the)\b", \b
// Unicode-aware), then collapse whitespace (" ".join(s.split())).
#include <string>
#include <string_view>

namespace poslab {

class AnswerNormalizer {
public:
  static std::string normalize(std::string_view text);
};

} // namespace poslab
