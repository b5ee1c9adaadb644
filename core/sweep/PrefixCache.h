#pragma once
// The KV states of the tokens the model has seen last, kept between prompts.
// The positions of one example share every token before the earliest gold
// document (METHOD.md §1: the distractors before it keep their order), and all
// prompts share the instructions. feed() keeps the longest prefix of the held
// tokens that is verified id-for-id equal to the new prompt and computes only
// the rest. With reuse off it recomputes every prompt from scratch (the naive
// path that --no-prefix-cache runs and the equivalence test compares with).
#include "core/model/KvCache.h"

#include <ATen/ATen.h>
#include <atomic>
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
  // Appends `ids` after the held tokens; returns their logits [n, vocab] fp32.
  at::Tensor extend(const std::vector<int32_t>& ids);
  // Forgets the held tokens after the first `length`.
  void truncate(size_t length);
  // Room for `tokens` in all; growing drops the held tokens (computed again on demand).
  void reserve(size_t tokens);

  size_t held() const { return ids_.size(); }
  int64_t computedTokens() const { return computed_; } // tokens run through the model so far

private:
  at::Tensor run(const std::vector<int32_t>& ids, size_t from); // ids[from..] after the held prefix

  const LlamaModel& model_;
  bool reuse_;
  std::unique_ptr<KvCache> cache_;
  std::vector<int32_t> ids_; // what cache_ holds, token for token
  int64_t computed_ = 0;
};

} // namespace poslab
