#pragma once
// A quick check of a demo model's positional curve: for each gold slot, the
// share of held-out examples whose answer the model reproduces exactly under
// greedy decoding. One teacher-forced forward per batch suffices: greedy
// decoding yields the answer followed by EOS exactly when every answer token and
// the EOS are the argmax given the tokens before them. This is stricter than a
// sweep's scoring (which accepts the answer anywhere in a longer output), so a
// sweep's accuracies are at least these.
#include "core/data/RetrievalExample.h"
#include "core/model/LlamaModel.h"
#include "core/prompt/PromptBuilder.h"
#include "core/tokenizer/Tokenizer.h"

#include <vector>

namespace poslab {

class DemoPositionProbe {
public:
  DemoPositionProbe(const LlamaModel& model, const Tokenizer& tokenizer, PromptBuilder builder)
      : model_(model), tokenizer_(tokenizer), builder_(std::move(builder)) {}

  // Accuracy at `slot` over `examples` (the gold, or a two-hop example's hop
  // pair, moved there, the other documents kept in order, as a sweep does
  // without shuffling). A two-hop answer is the whole chain of thought.
  double accuracy(const std::vector<RetrievalExample>& examples, size_t slot, size_t batchSize = 50) const;
  // Per-example correctness at `slot`.
  std::vector<bool> correct(const std::vector<RetrievalExample>& examples, size_t slot,
                            size_t batchSize = 50) const;

private:
  const LlamaModel& model_;
  const Tokenizer& tokenizer_;
  PromptBuilder builder_;
};

} // namespace poslab
