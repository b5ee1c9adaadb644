#include "core/sweep/PromptEvaluator.h"

#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"

#include <algorithm>

namespace poslab {

PromptEvaluator::PromptEvaluator(const LlamaModel& model, const Tokenizer& tokenizer, PrefixCache& cache,
                                 EvaluatorOptions options)
    : model_(model), tokenizer_(tokenizer), cache_(cache), options_(std::move(options)) {}

std::optional<PromptEvaluation> PromptEvaluator::evaluate(const std::vector<int32_t>& prompt,
                                                          const std::vector<int32_t>& answer,
                                                          const std::atomic<bool>* cancel) const {
  auto cancelled = [&] { return cancel && cancel->load(); };
  PromptEvaluation out;
  out.promptTokens = static_cast<int64_t>(prompt.size());
  out.answerTokens = static_cast<int64_t>(answer.size());
  const size_t room =
      prompt.size() + std::max<size_t>(answer.size(), static_cast<size_t>(options_.maxNewTokens));
  cache_.reserve(options_.contextLength > 0
                     ? std::min<size_t>(room, static_cast<size_t>(options_.contextLength))
                     : room);
  if (cancelled()) return std::nullopt;
  const int64_t before = cache_.computedTokens();
  const at::Tensor last = cache_.feed(prompt); // [vocab] fp32: predicts the first new token
  out.prefillTokens = cache_.computedTokens() - before;

  // Teacher forcing: log p(a_0 | prompt) + sum_i log p(a_i | prompt, a_<i).
  if (!answer.empty()) {
    if (cancelled()) return std::nullopt;
    double sum = last.log_softmax(-1)[answer[0]].item<double>();
    if (answer.size() > 1) {
      const std::vector<int32_t> forced(answer.begin(), answer.end() - 1);
      const at::Tensor logp = cache_.extend(forced).log_softmax(-1); // [n-1, vocab]
      for (size_t i = 1; i < answer.size(); ++i)
        sum += logp[static_cast<int64_t>(i - 1)][answer[i]].item<double>();
      cache_.truncate(prompt.size());
    }
    out.answerLogprob = sum;
  }

  // Greedy decoding from the prompt's last logits.
  std::vector<int32_t> generated;
  at::Tensor logits = last;
  while (true) {
    if (static_cast<int64_t>(generated.size()) >= options_.maxNewTokens) {
      out.stopReason = "length";
      break;
    }
    const auto next = static_cast<int32_t>(logits.argmax().item<int64_t>());
    if (std::find(options_.stopIds.begin(), options_.stopIds.end(), next) != options_.stopIds.end()) {
      out.stopReason = "eos";
      break;
    }
    generated.push_back(next);
    if (tokenizer_.decode(generated).find('\n') != std::string::npos) {
      out.stopReason = "newline";
      break;
    }
    if (static_cast<int64_t>(generated.size()) >= options_.maxNewTokens) {
      out.stopReason = "length";
      break;
    }
    if (options_.contextLength > 0 && static_cast<int64_t>(cache_.held()) >= options_.contextLength) {
      out.stopReason = "context";
      break;
    }
    if (cancelled()) return std::nullopt;
    logits = cache_.extend({next})[0]; // [vocab]
  }
  out.decodeTokens = static_cast<int64_t>(generated.size());
  out.prediction = tokenizer_.decode(generated);
  out.prediction.resize(std::min(out.prediction.size(), out.prediction.find('\n')));
  return out;
}

} // namespace poslab
