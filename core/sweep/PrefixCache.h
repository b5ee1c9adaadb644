#pragma once
// The KV states of the prompt the model has read last, kept between prompts.
// The positions of one example share every token before the earliest gold
// document (METHOD.md §1: the distractors before it keep their order), and all
// prompts share the instructions. feed() keeps the longest prefix of the held
// tokens that is verified id-for-id equal to the new prompt and computes only
// the rest. With reuse off it recomputes every prompt from scratch (the naive
// path that --no-prefix-cache runs and the equivalence test compares with).
#include "core/model/KvCache.h"

#include <ATen/ATen.h>
#include <cstdint>
#include <memory>
#include <vector>

namespace poslab {

class LlamaModel;

class PrefixCache {
public:
  PrefixCache(const LlamaModel& model, bool reuse);

  // Makes the cache hold exactly `ids` and returns the logits after the last
  // of them: [vocab] fp32. At least the last token is always computed.
  at::Tensor feed(const std::vector<int32_t>& ids);
  // Room for `tokens` in all (the held ones are kept).
  void reserve(size_t tokens);
  // Copies the held tokens' keys and values into row `row` of `rows`, at cache
  // indices [0, held()); `rows` must already hold at least that many.
  void copyTo(KvCache& rows, int64_t row);

  size_t held() const { return ids_.size(); }
  int64_t computedTokens() const { return computed_; } // tokens run through the model so far

private:
  const LlamaModel& model_;
  bool reuse_;
  std::unique_ptr<KvCache> cache_;
  std::vector<int32_t> ids_; // what cache_ holds, token for token
  int64_t computed_ = 0;
};

} // namespace poslab
