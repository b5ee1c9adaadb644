#pragma once
// The demo model's training data, stage by stage (DemoRecipe.h explains the
// stages), as TrainingSequences for core/train's Trainer, in the order they are
// to be visited (Trainer with shuffle off):
//   induction()  inductionSteps x inductionBatch copy rows;
//   retrieval()  (shortSteps + longSteps) x retrievalBatch rows: each a copy row
//                with probability copyShare, otherwise a retrieval prompt of
//                2..6 records with the gold anywhere (short steps) or of all K
//                records with the gold slot drawn from positionWeights (long).
// A copy row is BOS + s + s for a random token string s, the loss on the copy.
// A retrieval row is the prompt exactly as a sweep renders it (same template,
// tokenizer and BOS) followed by the response (response()) and EOS, the loss on
// those. For a two-hop recipe the "gold" is the hop pair: short rows put the
// hops at any two places in any order, long rows draw each hop's place
// (DemoRecipe::task says how).
// Row i of a stage draws from its own seeded stream: the same seed gives the
// same rows on every platform.
#include "core/data/RetrievalExample.h"
#include "core/demo/DemoRecipe.h"
#include "core/prompt/PromptBuilder.h"
#include "core/tokenizer/Tokenizer.h"
#include "core/train/TrainingSequence.h"

#include <vector>

namespace poslab {

class SeededRandom;

// One rendered prompt and its answer continuation.
struct DemoSequence {
  std::vector<int32_t> prompt; // BOS + prompt tokens
  std::vector<int32_t> answer; // answer tokens + EOS
};

class DemoCurriculum {
public:
  DemoCurriculum(const DemoRecipe& recipe, const std::vector<RetrievalExample>& train,
                 const Tokenizer& tokenizer, PromptBuilder builder);

  std::vector<TrainingSequence> induction() const;
  std::vector<TrainingSequence> retrieval() const;

  // What the model is trained to write after the prompt: the answer (Qa), or a
  // chain of thought listing both hops' texts and ending with the cue R2's
  // metric reads (TwoHop): "<A> <B>, <B> <code>. The answer is: <code>".
  static std::string response(const RetrievalExample& example);
  // `example` at sweep position `place` with the other documents in file order,
  // as a sweep without shuffling lays it out (GoldPlacement).
  static RetrievalExample placeAt(const RetrievalExample& example, size_t place);

  // `example` with its documents as given (gold wherever it is) -> prompt + answer
  // ids. The answer ids are what the tokenizer gives for the prompt followed by
  // " " + response(), past the prompt's own ids: what greedy decoding must produce.
  static DemoSequence encode(const RetrievalExample& example, const Tokenizer& tokenizer,
                             const PromptBuilder& builder);
  // A copy of `example` keeping the gold and `others` (indices of its non-gold
  // documents, in that order), with the gold inserted at `slot`.
  static RetrievalExample arrange(const RetrievalExample& example, const std::vector<size_t>& others,
                                  size_t slot);

private:
  TrainingSequence copyRow(SeededRandom& rng) const;
  TrainingSequence retrievalRow(SeededRandom& rng, bool shortContext) const;
  // A long row's place, drawn from the stage-3 weights (positionWeights()).
  size_t drawPlace(SeededRandom& rng) const;

  DemoRecipe recipe_;
  const std::vector<RetrievalExample>& train_;
  const Tokenizer& tokenizer_;
  PromptBuilder builder_;
  std::vector<double> cumulative_; // stage-3 slot CDF
};

} // namespace poslab
