#include "core/distill/TeacherResponder.h"

#include "core/data/SeededRandom.h"
#include "core/eval/TaskResponse.h"
#include "core/model/Generator.h"
#include "core/model/KvCache.h"
#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"

#include <algorithm>
#include <numeric>

namespace poslab {

TeacherResponder::TeacherResponder(const LlamaModel& model, const Tokenizer& tokenizer, Options options)
    : model_(model), tokenizer_(tokenizer), options_(std::move(options)) {}

std::vector<TeacherResponse> TeacherResponder::respond(const std::vector<std::vector<int32_t>>& prompts,
                                                       const std::vector<uint64_t>& streams) const {
  std::vector<TeacherResponse> out;
  if (options_.sampled) {
    for (size_t i = 0; i < prompts.size(); ++i)
      out.push_back(sample(prompts[i], streams[i]));
    return out;
  }
  // Greedy: the batched decoder sweeps use, stopping where a sweep's prediction ends.
  GenerationSettings g;
  g.maxNewTokens = options_.maxNewTokens;
  g.stopIds = options_.stopIds;
  // A chain of thought spans lines; it is cut where its answer line ends.
  if (options_.task != TaskKind::TwoHop) g.stopStrings = {"\n"};
  for (const GeneratedSequence& s : Generator(model_, &tokenizer_).greedy(prompts, g)) {
    TeacherResponse r;
    r.ids = s.ids;
    r.stopReason = s.stopReason == "stop-string" ? "newline" : s.stopReason;
    endAtCompletion(r);
    out.push_back(std::move(r));
  }
  return out;
}

void TeacherResponder::endAtCompletion(TeacherResponse& r) const {
  if (options_.task == TaskKind::TwoHop && r.stopReason != "eos")
    for (size_t n = 1; n <= r.ids.size(); ++n)
      if (TaskResponse::complete(
              options_.task,
              tokenizer_.decode({r.ids.begin(), r.ids.begin() + static_cast<std::ptrdiff_t>(n)}))) {
        r.ids.resize(n);
        r.stopReason = "newline";
        break;
      }
  r.text = TaskResponse::prediction(options_.task, tokenizer_.decode(r.ids));
}

TeacherResponse TeacherResponder::sample(const std::vector<int32_t>& prompt, uint64_t stream) const {
  at::NoGradGuard noGrad;
  SeededRandom rng(SeededRandom::derive(options_.seed, stream));
  const auto L = static_cast<int64_t>(prompt.size());
  KvCache cache(model_.config(), 1, L + options_.maxNewTokens, model_.dtype(), model_.device());
  std::vector<int64_t> ids(prompt.begin(), prompt.end());
  at::Tensor h = model_.hidden({at::tensor(ids, at::kLong).view({1, L}).to(model_.device()),
                                at::arange(L, at::kLong).view({1, L}).to(model_.device()),
                                {}},
                               &cache);                             // [1, L, d]
  at::Tensor logits = model_.logits(h.select(1, L - 1)).squeeze(0); // [vocab] fp32
  TeacherResponse r;
  for (int64_t step = 0; step < options_.maxNewTokens; ++step) {
    // Top-p over the temperature-scaled distribution, drawn by inverse CDF from
    // a 53-bit uniform: the same draw on every platform for the same seed.
    const at::Tensor p = at::softmax(logits.to(at::kCPU, at::kDouble) / options_.temperature, -1); // [vocab]
    const auto sorted = p.sort(-1, /*descending=*/true);
    const at::Tensor probs = std::get<0>(sorted).contiguous(), order = std::get<1>(sorted).contiguous();
    const double* pv = probs.data_ptr<double>();
    const int64_t* ov = order.data_ptr<int64_t>();
    int64_t keep = 0;
    double mass = 0;
    while (keep < probs.size(0) && (keep == 0 || mass < options_.topP))
      mass += pv[keep++];
    const double u =
        static_cast<double>(rng.below(uint64_t{1} << 53)) / static_cast<double>(uint64_t{1} << 53);
    double cumulative = 0;
    int64_t pick = keep - 1;
    for (int64_t i = 0; i < keep; ++i) {
      cumulative += pv[i] / mass;
      if (u < cumulative) {
        pick = i;
        break;
      }
    }
    const auto id = static_cast<int32_t>(ov[pick]);
    r.ids.push_back(id);
    if (std::find(options_.stopIds.begin(), options_.stopIds.end(), id) != options_.stopIds.end()) {
      r.stopReason = "eos";
      break;
    }
    if (TaskResponse::complete(options_.task, tokenizer_.decode(r.ids))) {
      r.stopReason = "newline";
      break;
    }
    if (step + 1 == options_.maxNewTokens) break;
    const int64_t pos = L + step;
    at::Tensor next = model_.hidden({at::full({1, 1}, int64_t{id}, at::kLong).to(model_.device()),
                                     at::full({1, 1}, pos, at::kLong).to(model_.device()),
                                     {}},
                                    &cache); // [1, 1, d]
    logits = model_.logits(next.select(1, 0)).squeeze(0);
  }
  if (r.stopReason.empty()) r.stopReason = "length";
  r.text = TaskResponse::prediction(options_.task, tokenizer_.decode(r.ids));
  return r;
}

} // namespace poslab
