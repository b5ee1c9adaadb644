#pragma once
// Attention analysis of one prompt (METHOD.md §4 items 2 and 3): one forward with
// an AttentionObserver that reduces each layer's probabilities as they come
// (query block by query block), so a 20-document prompt never holds even one
// layer's full T×T, let alone all layers'.
//
// Mass of a query row on a document = the sum of the row's probabilities over
// the document's key tokens; the profile averages it over the query rows. Every
// key token is counted once: in the first document whose range holds it (a
// token straddling two documents' boundary goes to the earlier one), else as
// "outside", so per (layer, head) the document masses and the outside mass sum to 1.
//
// Query rows (AttentionQuery):
//  - last: the last prompt token, whose row predicts the first answer token.
//  - question: the tokens of the question's last occurrence (TokenSpans::question).
//  - answer: the answer is generated greedily first (stop at EOS or a stop
//    string, default "\n", at most maxAnswerTokens). The rows are those that
//    PREDICTED each generated token: the last prompt token (predicting answer
//    token 0) and answer tokens 0..n-2, in one forward over prompt + answer
//    minus its last token. The stop token is included (the decision to stop is
//    part of answering, and the span is never empty). These are exactly the
//    attention rows the model used while generating its answer.
//
// The sink is the first `sinkTokens` keys (default 4, as StreamingLLM's
// "attention sinks", Xiao et al. 2024: BOS and the next three tokens).
#include "core/attention/AttentionAnalysis.h"
#include "core/attention/AttentionSequence.h"
#include "core/prompt/PromptFactory.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class LlamaModel;
class Tokenizer;

struct AttentionOptions {
  size_t sinkTokens = 4;
  int64_t maxAnswerTokens = 32;                  // "answer": greedy tokens at most
  std::vector<std::string> stopStrings = {"\n"}; // "answer": as the QA metric reads up to the first newline
  std::vector<int32_t> stopIds;                  // "answer": extra ids that end it (EOS ids are always added)
};

// The token matrix's heads: one head, or at each (query, key) the mean or the
// max over the layer's heads, reduced inside the one forward pass.
struct HeadSelection {
  enum class Reduce { One, Mean, Max };
  int64_t layer = 0;
  int64_t head = 0; // Reduce::One only
  Reduce reduce = Reduce::One;
};

// "mean" | "max" | "head" (TokenAttention::heads, the CLI's --token-matrix)
const char* headReduceName(HeadSelection::Reduce reduce);

class AttentionAnalyzer {
public:
  // tokenizer: for stop strings and the answer text; may be null (then only stop ids end the answer).
  AttentionAnalyzer(const LlamaModel& model, const Tokenizer* tokenizer, AttentionOptions options = {});

  // The ids and query rows for a prompt; generates the answer for AttentionQuery::Answer.
  AttentionSequence prepare(const PromptInstance& prompt, AttentionQuery query) const;

  // One forward over sequence.ids: the profile over `documents` (token ranges of
  // the keys), and the token matrix of one layer/head for the query rows.
  AttentionAnalysis analyse(const AttentionSequence& sequence, const std::vector<TokenRange>& documents,
                            std::optional<HeadSelection> tokenMatrix = std::nullopt) const;

  // prepare() + analyse() with the prompt's document spans and gold.
  AttentionAnalysis analyse(const PromptInstance& prompt, AttentionQuery query,
                            std::optional<HeadSelection> tokenMatrix = std::nullopt) const;
  AttentionProfile profile(const PromptInstance& prompt, AttentionQuery query) const;

  const AttentionOptions& options() const { return options_; }

private:
  const LlamaModel& model_;
  const Tokenizer* tokenizer_;
  AttentionOptions options_;
};

} // namespace poslab
