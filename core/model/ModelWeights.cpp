#include "core/model/ModelWeights.h"

namespace poslab {

void LayerWeights::setAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                const at::Tensor& biasQ, const at::Tensor& biasK, const at::Tensor& biasV) {
  qRows = q.size(0);
  kvRows = k.size(0);
  wqkv = at::cat({q, k, v}, 0); // [q + 2*kv, d_model]
  bqkv = biasQ.defined() ? at::cat({biasQ, biasK, biasV}, 0) : at::Tensor();
}

void LayerWeights::setFeedForward(const at::Tensor& gate, const at::Tensor& up) {
  wGateUp = at::cat({gate, up}, 0); // [2*d_ff, d_model]
}

std::vector<at::Tensor*> ModelWeights::all() {
  std::vector<at::Tensor*> out{&embed, &finalNorm};
  if (!lmHead.is_same(embed)) out.push_back(&lmHead);
  for (LayerWeights& l : layers)
    for (at::Tensor* t : {&l.attnNorm, &l.wqkv, &l.bqkv, &l.wo, &l.ffnNorm, &l.wGateUp, &l.wDown})
      if (t->defined()) out.push_back(t);
  return out;
}

} // namespace poslab
