#include "core/tokenizer/PreTokenizer.h"

#include "core/tokenizer/Utf8.h"
#include "core/util/Error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>

namespace poslab {

// A compiled pattern; shared between copies of a PreTokenizer (pcre2_code is
// read-only after compilation, so concurrent matching is safe).
struct PreTokenizer::Regex {
  pcre2_code* code = nullptr;
  ~Regex() { pcre2_code_free(code); }
};

const std::string& PreTokenizer::gpt2Pattern() {
  static const std::string p =
      R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
  return p;
}

const std::string& PreTokenizer::llama3Pattern() {
  static const std::string p =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  return p;
}

const std::string& PreTokenizer::qwen2Pattern() {
  static const std::string p =
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  return p;
}

PreTokenizer PreTokenizer::regex(const std::string& pattern) {
  PreTokenizer p;
  p.addRegexSplit(pattern);
  return p;
}

void PreTokenizer::addRegexSplit(const std::string& pattern, SplitBehavior behavior, bool invert) {
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  auto regex = std::make_shared<Regex>();
  regex->code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &errorCode, &errorOffset, nullptr);
  if (!regex->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(errorCode, message, sizeof message);
    fail("", "pre-tokenizer regex '" + pattern + "'",
         "does not compile at offset " + std::to_string(errorOffset) + ": " +
             reinterpret_cast<const char*>(message));
  }
  pcre2_jit_compile(regex->code, PCRE2_JIT_COMPLETE); // falls back to the interpreter if JIT is unavailable
  steps_.push_back({std::move(regex), {}, behavior, invert});
}

void PreTokenizer::addLiteralSplit(const std::string& literal, SplitBehavior behavior, bool invert) {
  if (literal.empty()) fail("", "pre-tokenizer Split", "empty pattern");
  steps_.push_back({nullptr, literal, behavior, invert});
}

void PreTokenizer::addDigits(bool individualDigits) {
  addRegexSplit(individualDigits ? R"(\p{N})" : R"(\p{N}+)", SplitBehavior::Isolated);
}

std::vector<PreTokenizer::Piece> PreTokenizer::split(std::string_view text) const {
  std::vector<Piece> pieces{{0, text.size()}};
  std::vector<Piece> next;
  for (const Step& step : steps_) {
    next.clear();
    for (const Piece& piece : pieces)
      runStep(step, text, piece, next);
    pieces.swap(next);
  }
  if (!pieces.empty() && pieces.front().begin == pieces.front().end) pieces.clear(); // empty text
  return pieces;
}

void PreTokenizer::runStep(const Step& step, std::string_view text, const Piece& piece,
                           std::vector<Piece>& out) const {
  // 1. The piece as alternating (range, isMatch) parts covering all of it.
  struct Part {
    size_t begin, end;
    bool match;
  };
  std::vector<Part> parts;
  const std::string_view subject = text.substr(piece.begin, piece.end - piece.begin);
  size_t cursor = 0;
  auto addMatch = [&](size_t begin, size_t end) {
    if (begin > cursor) parts.push_back({cursor, begin, false});
    parts.push_back({begin, end, true});
    cursor = end;
  };
  if (step.regex) {
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(step.regex->code, nullptr);
    size_t start = 0;
    while (start < subject.size()) {
      const int rc = pcre2_match(step.regex->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                                 subject.size(), start, 0, data, nullptr);
      if (rc < 0) break; // PCRE2_ERROR_NOMATCH, or a match limit: the rest is one gap
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data);
      const size_t begin = ovector[0];
      const size_t end = ovector[1];
      if (end == begin) { // an empty match splits nothing; step over one character
        size_t pos = begin;
        if (pos >= subject.size()) break;
        Utf8::next(subject, pos);
        start = pos;
        continue;
      }
      addMatch(begin, end);
      start = end;
    }
    pcre2_match_data_free(data);
  } else {
    for (size_t found = subject.find(step.literal); found != std::string_view::npos;
         found = subject.find(step.literal, cursor))
      addMatch(found, found + step.literal.size());
  }
  if (cursor < subject.size()) parts.push_back({cursor, subject.size(), false});
  if (step.invert)
    for (Part& part : parts)
      part.match = !part.match;

  // 2. Join or drop parts as the behaviour says (HF's SplitDelimiterBehavior).
  std::vector<Part> kept;
  switch (step.behavior) {
  case SplitBehavior::Isolated:
    kept = std::move(parts);
    break;
  case SplitBehavior::Removed:
    for (const Part& part : parts)
      if (!part.match) kept.push_back(part);
    break;
  case SplitBehavior::MergedWithPrevious: {
    bool previousMatch = false;
    for (const Part& part : parts) {
      if (part.match && !previousMatch && !kept.empty())
        kept.back().end = part.end;
      else
        kept.push_back(part);
      previousMatch = part.match;
    }
    break;
  }
  case SplitBehavior::MergedWithNext: {
    bool previousMatch = false;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (it->match && !previousMatch && !kept.empty())
        kept.back().begin = it->begin;
      else
        kept.push_back(*it);
      previousMatch = it->match;
    }
    std::reverse(kept.begin(), kept.end());
    break;
  }
  case SplitBehavior::Contiguous: {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0 && parts[i].match == parts[i - 1].match)
        kept.back().end = parts[i].end;
      else
        kept.push_back(parts[i]);
    }
    break;
  }
  }
  for (const Part& part : kept)
    if (part.end > part.begin) out.push_back({piece.begin + part.begin, piece.begin + part.end});
}

} // namespace poslab
