#pragma once
// Scores prompts the way METHOD.md §1 does: the log-probability of the first
// gold answer under teacher forcing, then greedy decoding (at most N new
// tokens, stopping at a newline or an end-of-sequence id).
//
// A batch of prompts is evaluated together. Each prompt's prefill runs alone
// through the PrefixCache, in order, so it computes only what follows the
// verified common prefix with the prompt before it (the sweep orders positions
// so that this prefix is long), and no prefill token is spent on padding. The
// prompts' KV states are then copied side by side into one batch cache (rows
// right-padded, pads masked) and the rest runs batched: teacher forcing in one
// forward pass, and greedy decoding one token of every unfinished row per pass.
// Those are the small, memory-bound passes that dominate once the prefix is
// reused. A batch of one runs exactly the computation of the unbatched path.
#include "core/data/RetrievalExample.h"
#include "core/model/KvCache.h"
#include "core/sweep/PrefixCache.h"

#include <atomic>
#include <cstdint>
#include <memory>
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
  TaskKind task = TaskKind::Qa; // where a response ends (TaskResponse): a line, or the cue's line
};

struct PromptJob {
  std::vector<int32_t> prompt;
  std::vector<int32_t> answer; // the gold answer's ids for teacher forcing; empty: none
};

struct PromptEvaluation {
  std::string prediction;              // the generated text a metric reads (TaskResponse::prediction)
  std::optional<double> answerLogprob; // sum over the answer's tokens; nullopt without an answer
  int64_t answerTokens = 0;
  int64_t promptTokens = 0;
  int64_t prefillTokens = 0; // prompt tokens computed (the rest came from the prefix cache)
  int64_t decodeTokens = 0;
  std::string stopReason; // "newline" | "eos" | "length" | "context"
  double seconds = 0;     // its own prefill plus its share of the batched passes
};

class PromptEvaluator {
public:
  PromptEvaluator(const LlamaModel& model, const Tokenizer& tokenizer, PrefixCache& cache,
                  EvaluatorOptions options);
  ~PromptEvaluator();

  // One evaluation per job, in order; nullopt when `cancel` was raised
  // (checked before every forward pass).
  std::optional<std::vector<PromptEvaluation>> evaluate(const std::vector<PromptJob>& jobs,
                                                        const std::atomic<bool>* cancel = nullptr);

private:
  struct Batch; // the batch cache's layout and key mask for one evaluate()

  // Room for `rows` prompts of up to `tokens` tokens each, plus what follows them.
  void reserveRows(int64_t rows, int64_t tokens);
  // Prefills every prompt through the prefix cache into its row; the logits
  // after each prompt's last token: [B, vocab] fp32.
  std::optional<at::Tensor> prefill(const std::vector<PromptJob>& jobs, Batch& batch,
                                    std::vector<PromptEvaluation>& out, const std::atomic<bool>* cancel);
  // Sums log p(answer) under teacher forcing, all rows in one pass.
  bool teacherForce(const std::vector<PromptJob>& jobs, const at::Tensor& last, Batch& batch,
                    std::vector<PromptEvaluation>& out, const std::atomic<bool>* cancel);
  // Greedy decoding of every row, one token per unfinished row per pass.
  bool decode(at::Tensor logits, Batch& batch, std::vector<PromptEvaluation>& out,
              const std::atomic<bool>* cancel);

  const LlamaModel& model_;
  const Tokenizer& tokenizer_;
  PrefixCache& cache_;
  EvaluatorOptions options_;
  std::unique_ptr<KvCache> rows_; // the batch cache, kept between batches
};

} // namespace poslab
