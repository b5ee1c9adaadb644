#pragma once
// Splits text into the pieces BPE merges within (Hugging Face tokenizers'
// pre-tokenizers `Split`, `Digits` and ByteLevel's `use_regex`, and the regexes
// llama.cpp hard-codes per `tokenizer.ggml.pre`). Regexes run on PCRE2 with
// PCRE2_UTF | PCRE2_UCP (\s, \p{L}, \p{N} are Unicode-aware, as in HF's
// Oniguruma) and PCRE2_MATCH_INVALID_UTF: invalid UTF-8 never matches and ends
// up in the gaps between matches, so every byte still lands in some piece.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

class PreTokenizer {
public:
  // What a split step does with the matches (HF SplitDelimiterBehavior).
  enum class SplitBehavior { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous };

  struct Piece {
    size_t begin = 0; // byte range of the text given to split()
    size_t end = 0;
  };

  // The Split regexes of the model families (see tokenizers/llama-3/SOURCE.md).
  static const std::string& gpt2Pattern();
  static const std::string& llama3Pattern();
  static const std::string& qwen2Pattern();
  static PreTokenizer gpt2() { return regex(gpt2Pattern()); }
  static PreTokenizer llama3() { return regex(llama3Pattern()); }
  static PreTokenizer qwen2() { return regex(qwen2Pattern()); }
  // One Isolated regex split.
  static PreTokenizer regex(const std::string& pattern);

  // Steps run in order; each splits every piece the previous steps produced.
  // Throws poslab::Error quoting the pattern and PCRE2's message if it does not compile.
  void addRegexSplit(const std::string& pattern, SplitBehavior behavior = SplitBehavior::Isolated,
                     bool invert = false);
  void addLiteralSplit(const std::string& literal, SplitBehavior behavior, bool invert = false);
  // HF `Digits`: every \p{N} its own piece, or runs of them together.
  void addDigits(bool individualDigits);

  bool empty() const { return steps_.empty(); }
  // Pieces in order; empty pieces are dropped. With no steps: the whole text.
  std::vector<Piece> split(std::string_view text) const;

private:
  struct Regex;
  struct Step {
    std::shared_ptr<const Regex> regex; // null: literal
    std::string literal;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
  };
  void runStep(const Step& step, std::string_view text, const Piece& piece, std::vector<Piece>& out) const;

  std::vector<Step> steps_;
};

} // namespace poslab
