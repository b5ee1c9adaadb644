#include "core/model/ModelWeights.h"

namespace poslab {

std::vector<at::Tensor*> ModelWeights::all() {
  std::vector<at::Tensor*> out{&embed, &finalNorm};
  if (!lmHead.is_same(embed)) out.push_back(&lmHead);
  for (LayerWeights& l : layers)
    for (at::Tensor* t : {&l.attnNorm, &l.wq, &l.wk, &l.wv, &l.bq, &l.bk, &l.bv, &l.wo, &l.ffnNorm, &l.wGate,
                          &l.wUp, &l.wDown})
      if (t->defined()) out.push_back(t);
  return out;
}

} // namespace poslab
