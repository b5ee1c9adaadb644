#pragma once
// Training batches for the demo model: each row starts with a prompt rendered
// exactly as a sweep renders it (same template, same tokenizer, BOS), followed by
// the answer and EOS; only answer tokens and EOS carry loss.
//   phase A (step < phaseASteps): 2..6 of the example's documents, gold anywhere,
//     and after the first answer every other document is asked about too
//     ("\nQuestion: ...\nAnswer: <code></s>" each): k answers per context
//     instead of one, which is what makes retrieval learnable in the budget;
//   phase B: all K documents, the gold slot drawn from
//     DemoRecipe::phaseBPositionWeights, then phaseBFollowUps further questions
//     about documents in slots drawn from the same weights.
// The distractors are reshuffled every time, so 4000 base examples give fresh
// prompts for every step. Row r of step s draws from its own seeded stream.
#include "core/data/RetrievalExample.h"
#include "core/demo/DemoRecipe.h"
#include "core/prompt/PromptBuilder.h"
#include "core/tokenizer/Tokenizer.h"

#include <ATen/ATen.h>
#include <vector>

namespace poslab {

struct DemoBatch {
  at::Tensor ids;                // [B, T] int64, right-padded with 0
  at::Tensor targets;            // [B, T] int64: next token where it carries loss, else -100
  std::vector<size_t> goldSlots; // per row, for progress reports
};

// One rendered prompt and its answer continuation.
struct DemoSequence {
  std::vector<int32_t> prompt; // BOS + prompt tokens
  std::vector<int32_t> answer; // answer tokens + EOS
};

class DemoBatchSampler {
public:
  DemoBatchSampler(const DemoRecipe& recipe, const std::vector<RetrievalExample>& train,
                   const Tokenizer& tokenizer, PromptBuilder builder);

  DemoBatch batch(size_t step) const;

  // Token ids and next-token labels (-100: no loss) of one training row.
  struct Row {
    std::vector<int32_t> ids;
    std::vector<int32_t> labels; // labels[t] is the target of position t
  };
  // `example` as arranged, asked about its gold and then about each document of
  // `followUps` (indices into its documents), each answer followed by EOS.
  Row row(const RetrievalExample& example, const std::vector<size_t>& followUps) const;

  // `example` with its documents as given (gold wherever it is) -> prompt + answer
  // ids. The answer ids are what the tokenizer gives for the prompt followed by
  // " " + answer, past the prompt's own ids: what greedy decoding must produce.
  static DemoSequence encode(const RetrievalExample& example, const Tokenizer& tokenizer,
                             const PromptBuilder& builder);
  // A copy of `example` keeping the gold and `others` (indices of its non-gold
  // documents, in that order), with the gold inserted at `slot`.
  static RetrievalExample arrange(const RetrievalExample& example, const std::vector<size_t>& others,
                                  size_t slot);

private:
  DemoRecipe recipe_;
  const std::vector<RetrievalExample>& train_;
  const Tokenizer& tokenizer_;
  PromptBuilder builder_;
  std::vector<double> cumulative_; // phase-B slot CDF
};

} // namespace poslab
