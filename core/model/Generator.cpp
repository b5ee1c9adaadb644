#include "core/model/Generator.h"

#include "core/model/KvCache.h"
#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"
#include "core/util/Error.h"

#include <algorithm>
#include <chrono>

namespace poslab {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

Generator::Generator(const LlamaModel& model, const Tokenizer* tokenizer)
    : model_(model), tokenizer_(tokenizer) {}

std::vector<GeneratedSequence> Generator::greedy(const std::vector<std::vector<int32_t>>& prompts,
                                                 const GenerationSettings& settings,
                                                 const TokenCallback& onToken,
                                                 const std::atomic<bool>* cancel,
                                                 GenerationStats* stats) const {
  if (prompts.empty()) return {};
  if (!settings.stopStrings.empty() && !tokenizer_) fail("", "stop strings", "need a tokenizer");
  const int64_t B = static_cast<int64_t>(prompts.size());
  int64_t L = 0;
  for (const auto& p : prompts) {
    if (p.empty()) fail("", "prompt", "is empty (generation needs at least one token, e.g. BOS)");
    L = std::max<int64_t>(L, static_cast<int64_t>(p.size()));
  }
  const int64_t maxNew = std::max<int64_t>(settings.maxNewTokens, 0);
  const int64_t vocab = model_.config().vocabSize;
  for (const auto& p : prompts)
    for (int32_t id : p)
      if (id < 0 || id >= vocab)
        fail("", "prompt ids",
             "id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(vocab - 1) +
                 ")");
  at::NoGradGuard noGrad;

  // Left padding keeps every sequence's next token in the same column.
  at::Tensor ids = at::zeros({B, L}, at::kLong);
  at::Tensor keyMask = at::zeros({B, L + maxNew}, at::kBool);
  at::Tensor positions = at::zeros({B, L}, at::kLong);
  auto idsA = ids.accessor<int64_t, 2>();
  auto maskA = keyMask.accessor<bool, 2>();
  auto posA = positions.accessor<int64_t, 2>();
  int64_t realTokens = 0;
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    const int64_t pad = L - static_cast<int64_t>(p.size());
    for (int64_t t = 0; t < static_cast<int64_t>(p.size()); ++t) {
      idsA[b][pad + t] = p[static_cast<size_t>(t)];
      maskA[b][pad + t] = true;
      posA[b][pad + t] = t;
    }
    realTokens += static_cast<int64_t>(p.size());
  }

  KvCache cache(model_.config(), B, L + maxNew, model_.dtype(), model_.device());
  std::vector<GeneratedSequence> out(static_cast<size_t>(B));
  std::vector<int64_t> nextPos(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b)
    nextPos[static_cast<size_t>(b)] = static_cast<int64_t>(prompts[static_cast<size_t>(b)].size());

  auto t0 = std::chrono::steady_clock::now();
  at::Tensor hidden = model_.hidden({ids, positions, keyMask.narrow(1, 0, L)}, &cache); // [B, L, d]
  at::Tensor last = model_.logits(hidden.select(1, L - 1));                             // [B, vocab]
  if (stats) {
    stats->prefillTokens += realTokens;
    stats->prefillSeconds += secondsSince(t0);
  }
  t0 = std::chrono::steady_clock::now();

  int64_t live = B;
  for (int64_t step = 0; step < maxNew && live > 0; ++step) {
    if (cancel && cancel->load()) {
      for (auto& s : out)
        if (s.stopReason.empty()) s.stopReason = "cancelled";
      break;
    }
    at::Tensor next = last.argmax(-1).to(at::kCPU); // [B]
    auto nextA = next.accessor<int64_t, 1>();
    at::Tensor stepIds = at::zeros({B, 1}, at::kLong), stepPos = at::zeros({B, 1}, at::kLong);
    for (int64_t b = 0; b < B; ++b) {
      GeneratedSequence& s = out[static_cast<size_t>(b)];
      if (!s.stopReason.empty()) continue; // finished: feeds a masked pad
      const auto id = static_cast<int32_t>(nextA[b]);
      s.ids.push_back(id);
      if (onToken) onToken(static_cast<size_t>(b), id);
      if (std::find(settings.stopIds.begin(), settings.stopIds.end(), id) != settings.stopIds.end()) {
        s.stopReason = "eos";
      } else if (!settings.stopStrings.empty()) {
        const std::string text = tokenizer_->decode(s.ids);
        for (const std::string& stop : settings.stopStrings)
          if (!stop.empty() && text.find(stop) != std::string::npos) s.stopReason = "stop-string";
      }
      if (!s.stopReason.empty()) {
        --live;
        continue;
      }
      stepIds[b][0] = id;
      stepPos[b][0] = nextPos[static_cast<size_t>(b)]++;
      maskA[b][cache.length()] = true;
    }
    if (live == 0 || step + 1 == maxNew) break;
    at::Tensor h =
        model_.hidden({stepIds, stepPos, keyMask.narrow(1, 0, cache.length() + 1)}, &cache); // [B, 1, d]
    last = model_.logits(h.select(1, 0));
  }
  for (auto& s : out) {
    if (s.stopReason.empty()) s.stopReason = "length";
    if (!tokenizer_) continue;
    s.text = tokenizer_->decode(s.ids);
    size_t cut = std::string::npos;
    for (const std::string& stop : settings.stopStrings)
      if (!stop.empty()) cut = std::min(cut, s.text.find(stop));
    if (cut != std::string::npos) s.text.resize(cut);
  }
  if (stats) {
    stats->decodeSeconds += secondsSince(t0);
    for (const auto& s : out)
      stats->decodeTokens += static_cast<int64_t>(s.ids.size());
  }
  return out;
}

} // namespace poslab
