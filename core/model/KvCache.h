#pragma once
// Keys and values of the tokens already processed, per layer, preallocated to a
// capacity so decoding appends without reallocating.
#include "core/model/ModelConfig.h"

#include <ATen/ATen.h>
#include <utility>
#include <vector>

namespace poslab {

class KvCache {
public:
  KvCache(const ModelConfig& config, int64_t batch, int64_t capacity, at::ScalarType dtype,
          const at::Device& device);

  int64_t length() const { return length_; }     // tokens held (pads included)
  int64_t capacity() const { return capacity_; } //
  int64_t batch() const { return batch_; }

  // Writes k, v [B, n_kv, T, head_dim] after the held tokens of `layer` and returns
  // views of everything held plus them: [B, n_kv, length+T, head_dim] each.
  std::pair<at::Tensor, at::Tensor> append(int64_t layer, const at::Tensor& k, const at::Tensor& v);
  // Called once per forward, after every layer appended T tokens.
  void advance(int64_t tokens);
  // Forgets everything after the first `length` tokens (reuse of a shared prefix).
  void truncate(int64_t length);
  // Views of the held keys and values of `layer`: [B, n_kv, length, head_dim] each.
  // Writing into them changes the cache (sweeps copy a shared prefix between caches).
  std::pair<at::Tensor, at::Tensor> held(int64_t layer);

private:
  int64_t batch_, capacity_, length_ = 0;
  std::vector<at::Tensor> keys_, values_; // per layer [B, n_kv, capacity, head_dim]
};

} // namespace poslab
