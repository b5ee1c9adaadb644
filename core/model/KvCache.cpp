#include "core/model/KvCache.h"

#include "core/util/Error.h"

namespace poslab {

KvCache::KvCache(const ModelConfig& c, int64_t batch, int64_t capacity, at::ScalarType dtype,
                 const at::Device& device)
    : batch_(batch), capacity_(capacity) {
  auto options = at::TensorOptions().dtype(dtype).device(device);
  for (int64_t i = 0; i < c.numLayers; ++i) {
    keys_.push_back(at::empty({batch, c.numKvHeads, capacity, c.headDim}, options));
    values_.push_back(at::empty({batch, c.numKvHeads, capacity, c.headDim}, options));
  }
}

std::pair<at::Tensor, at::Tensor> KvCache::append(int64_t layer, const at::Tensor& k, const at::Tensor& v) {
  const int64_t t = k.size(2);
  if (length_ + t > capacity_)
    fail("", "kv cache",
         "holds " + std::to_string(capacity_) + " tokens; " + std::to_string(length_ + t) + " requested");
  at::Tensor& keys = keys_[static_cast<size_t>(layer)];
  at::Tensor& values = values_[static_cast<size_t>(layer)];
  keys.narrow(2, length_, t).copy_(k);
  values.narrow(2, length_, t).copy_(v);
  return {keys.narrow(2, 0, length_ + t), values.narrow(2, 0, length_ + t)};
}

std::pair<at::Tensor, at::Tensor> KvCache::held(int64_t layer) {
  const auto l = static_cast<size_t>(layer);
  return {keys_[l].narrow(2, 0, length_), values_[l].narrow(2, 0, length_)};
}

void KvCache::advance(int64_t tokens) {
  length_ += tokens;
}

void KvCache::truncate(int64_t length) {
  if (length < 0 || length > length_) fail("", "kv cache", "cannot truncate to " + std::to_string(length));
  length_ = length;
}

} // namespace poslab
