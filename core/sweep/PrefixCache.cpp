#include "core/sweep/PrefixCache.h"

#include "core/model/LlamaModel.h"
#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

PrefixCache::PrefixCache(const LlamaModel& model, bool reuse) : model_(model), reuse_(reuse) {}

void PrefixCache::reserve(size_t tokens) {
  const auto need = static_cast<int64_t>(tokens);
  if (cache_ && cache_->capacity() >= need) return;
  // Grow geometrically; a new cache holds nothing, so the held prefix is dropped.
  const int64_t capacity = std::max<int64_t>(need, cache_ ? cache_->capacity() * 3 / 2 : 256);
  cache_ = std::make_unique<KvCache>(model_.config(), 1, capacity, model_.dtype(), model_.device());
  ids_.clear();
}

at::Tensor PrefixCache::run(const std::vector<int32_t>& ids, size_t from) {
  const auto n = static_cast<int64_t>(ids.size() - from);
  const auto start = static_cast<int64_t>(from);
  at::Tensor tokens = at::empty({1, n}, at::kLong); // [1, n]
  auto a = tokens.accessor<int64_t, 2>();
  for (int64_t t = 0; t < n; ++t)
    a[0][t] = ids[from + static_cast<size_t>(t)];
  at::Tensor positions = at::arange(start, start + n, at::kLong).unsqueeze(0);   // [1, n]
  at::Tensor h = model_.hidden({tokens, positions, at::Tensor()}, cache_.get()); // [1, n, d]
  ids_.insert(ids_.end(), ids.begin() + static_cast<std::ptrdiff_t>(from), ids.end());
  computed_ += n;
  return h.squeeze(0); // [n, d]
}

at::Tensor PrefixCache::feed(const std::vector<int32_t>& ids) {
  if (ids.empty()) fail("", "prompt", "is empty");
  reserve(ids.size());
  size_t keep = 0;
  if (reuse_) {
    const size_t limit = std::min(ids_.size(), ids.size() - 1); // the last token is always run
    while (keep < limit && ids_[keep] == ids[keep])
      ++keep;
  }
  truncate(keep);
  at::NoGradGuard noGrad;
  at::Tensor h = run(ids, keep);                    // [n, d]
  return model_.logits(h.select(0, h.size(0) - 1)); // [vocab]
}

at::Tensor PrefixCache::extend(const std::vector<int32_t>& ids) {
  if (ids.empty()) return at::empty({0, model_.config().vocabSize}, at::kFloat);
  if (!cache_ || cache_->capacity() < static_cast<int64_t>(ids_.size() + ids.size())) {
    // Growing drops the held tokens; recompute them with the new ones.
    std::vector<int32_t> all = ids_;
    all.insert(all.end(), ids.begin(), ids.end());
    const size_t before = ids_.size();
    reserve(all.size());
    at::NoGradGuard noGrad;
    at::Tensor h = run(all, 0); // [before + n, d]
    return model_.logits(h.narrow(0, static_cast<int64_t>(before), static_cast<int64_t>(ids.size())));
  }
  at::NoGradGuard noGrad;
  const size_t before = ids_.size();
  std::vector<int32_t> all = ids_;
  all.insert(all.end(), ids.begin(), ids.end());
  ids_.resize(before);                    // run() appends
  return model_.logits(run(all, before)); // [n, vocab]
}

void PrefixCache::truncate(size_t length) {
  if (length > ids_.size()) fail("", "prefix cache", "cannot truncate beyond the held tokens");
  ids_.resize(length);
  if (cache_) cache_->truncate(static_cast<int64_t>(length));
}

} // namespace poslab
