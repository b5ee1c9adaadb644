#include "core/demo/DemoPositionProbe.h"

#include "core/demo/DemoCurriculum.h"

#include <algorithm>

namespace poslab {

std::vector<bool> DemoPositionProbe::correct(const std::vector<RetrievalExample>& examples, size_t slot,
                                             size_t batchSize) const {
  at::NoGradGuard noGrad;
  std::vector<bool> out;
  for (size_t start = 0; start < examples.size(); start += batchSize) {
    const size_t n = std::min(batchSize, examples.size() - start);
    std::vector<DemoSequence> rows;
    int64_t T = 0;
    for (size_t i = 0; i < n; ++i) {
      rows.push_back(
          DemoCurriculum::encode(DemoCurriculum::placeAt(examples[start + i], slot), tokenizer_, builder_));
      T = std::max<int64_t>(T,
                            static_cast<int64_t>(rows.back().prompt.size() + rows.back().answer.size() - 1));
    }
    const int64_t B = static_cast<int64_t>(n);
    at::Tensor ids = at::zeros({B, T}, at::kLong);
    auto acc = ids.accessor<int64_t, 2>();
    for (size_t r = 0; r < n; ++r) {
      std::vector<int32_t> all = rows[r].prompt;
      all.insert(all.end(), rows[r].answer.begin(), rows[r].answer.end() - 1);
      for (size_t t = 0; t < all.size(); ++t)
        acc[static_cast<int64_t>(r)][static_cast<int64_t>(t)] = all[t];
    }
    ForwardBatch fb{ids, at::arange(T, at::kLong).unsqueeze(0).expand({B, T}), at::Tensor()};
    at::Tensor pred = model_.forward(fb).argmax(-1); // [B, T]
    auto p = pred.accessor<int64_t, 2>();
    for (size_t r = 0; r < n; ++r) {
      bool ok = true;
      const size_t first = rows[r].prompt.size() - 1; // this position predicts the first answer token
      for (size_t j = 0; j < rows[r].answer.size(); ++j)
        ok = ok && p[static_cast<int64_t>(r)][static_cast<int64_t>(first + j)] == rows[r].answer[j];
      out.push_back(ok);
    }
  }
  return out;
}

double DemoPositionProbe::accuracy(const std::vector<RetrievalExample>& examples, size_t slot,
                                   size_t batchSize) const {
  const auto c = correct(examples, slot, batchSize);
  if (c.empty()) return 0.0;
  return static_cast<double>(std::count(c.begin(), c.end(), true)) / static_cast<double>(c.size());
}

} // namespace poslab
