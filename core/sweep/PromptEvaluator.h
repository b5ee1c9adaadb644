#pragma once
// Scores one prompt the way METHOD.md §1 does: the log-probability of the first
// gold answer under teacher forcing, then greedy decoding (at most N new
// tokens, stopping at a newline or an end-of-sequence id). Runs through a
// PrefixCache so consecutive prompts share their common prefix.
#include "core/sweep/PrefixCache.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class LlamaModel;
class Tokenizer;

struct EvaluatorOptions {
  int64_t maxNewTokens = 100;
  std::vector<int32_t> stopIds; // EOS and friends
  int64_t contextLength = 0;    // the model's; decoding stops there ("context")
};

struct PromptEvaluation {
  std::string prediction;              // the generated text before the first newline
  std::optional<double> answerLogprob; // sum over the answer's tokens; nullopt without an answer
  int64_t answerTokens = 0;
  int64_t promptTokens = 0;
  int64_t prefillTokens = 0; // prompt tokens computed (the rest came from the prefix cache)
  int64_t decodeTokens = 0;
  std::string stopReason; // "newline" | "eos" | "length" | "context"
};

class PromptEvaluator {
public:
  PromptEvaluator(const LlamaModel& model, const Tokenizer& tokenizer, PrefixCache& cache,
                  EvaluatorOptions options);

  // nullopt when `cancel` was raised (checked before every forward pass).
  std::optional<PromptEvaluation> evaluate(const std::vector<int32_t>& prompt,
                                           const std::vector<int32_t>& answer,
                                           const std::atomic<bool>* cancel = nullptr) const;

private:
  const LlamaModel& model_;
  const Tokenizer& tokenizer_;
  PrefixCache& cache_;
  EvaluatorOptions options_;
};

} // namespace poslab
