#include "core/sweep/PrefixCache.h"

#include "core/model/LlamaModel.h"
#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

PrefixCache::PrefixCache(const LlamaModel& model, bool reuse) : model_(model), reuse_(reuse) {}

void PrefixCache::reserve(size_t tokens) {
  const auto need = static_cast<int64_t>(tokens);
  if (cache_ && cache_->capacity() >= need) return;
  // Grow geometrically, keeping the held tokens.
  const int64_t capacity = std::max<int64_t>(need, cache_ ? cache_->capacity() * 3 / 2 : 256);
  auto grown = std::make_unique<KvCache>(model_.config(), 1, capacity, model_.dtype(), model_.device());
  if (cache_ && !ids_.empty()) {
    grown->advance(static_cast<int64_t>(ids_.size()));
    copyTo(*grown, 0);
  }
  cache_ = std::move(grown);
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
  ids_.resize(keep);
  cache_->truncate(static_cast<int64_t>(keep));

  at::NoGradGuard noGrad;
  const auto n = static_cast<int64_t>(ids.size() - keep);
  const auto start = static_cast<int64_t>(keep);
  at::Tensor tokens = at::empty({1, n}, at::kLong); // [1, n]
  auto a = tokens.accessor<int64_t, 2>();
  for (int64_t t = 0; t < n; ++t)
    a[0][t] = ids[keep + static_cast<size_t>(t)];
  at::Tensor positions = at::arange(start, start + n, at::kLong).unsqueeze(0);   // [1, n]
  at::Tensor h = model_.hidden({tokens, positions, at::Tensor()}, cache_.get()); // [1, n, d]
  ids_.insert(ids_.end(), ids.begin() + static_cast<std::ptrdiff_t>(keep), ids.end());
  computed_ += n;
  return model_.logits(h.select(0, 0).select(0, n - 1)); // [vocab]
}

void PrefixCache::copyTo(KvCache& rows, int64_t row) {
  const auto n = static_cast<int64_t>(ids_.size());
  if (n == 0) return;
  for (int64_t l = 0; l < model_.config().numLayers; ++l) {
    auto [k, v] = cache_->held(l);    // [1, n_kv, n, head_dim]
    auto [rowK, rowV] = rows.held(l); // [B, n_kv, S, head_dim], S >= n
    rowK.select(0, row).narrow(1, 0, n).copy_(k.select(0, 0));
    rowV.select(0, row).narrow(1, 0, n).copy_(v.select(0, 0));
  }
}

} // namespace poslab
