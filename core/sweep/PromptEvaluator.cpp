#include "core/sweep/PromptEvaluator.h"

#include "core/eval/TaskResponse.h"
#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"

#include <algorithm>
#include <chrono>

namespace poslab {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

// Row i of the batch cache holds its prompt at columns [0, prompt_i), pads up to
// `width` (the longest prompt), then the tokens fed after the prompts, which all
// rows append in the same columns. A token's RoPE position is its place in its
// own sequence, so pads shift no position; the key mask hides them.
struct PromptEvaluator::Batch {
  int64_t rows = 0;
  int64_t width = 0;
  std::vector<int64_t> held; // tokens of each row's own sequence in the cache
  at::Tensor keyMask;        // [B, capacity] bool: column j of row i is a real token

  // The forward pass over `ids` [B, T] after the columns the cache holds.
  ForwardBatch next(const at::Tensor& ids, const at::Tensor& positions, int64_t cached) const {
    const int64_t columns = cached + ids.size(1);
    return {ids, positions, keyMask.narrow(1, 0, columns).contiguous()}; // keyMask [B, cached + T]
  }
};

PromptEvaluator::PromptEvaluator(const LlamaModel& model, const Tokenizer& tokenizer, PrefixCache& cache,
                                 EvaluatorOptions options)
    : model_(model), tokenizer_(tokenizer), cache_(cache), options_(std::move(options)) {}

PromptEvaluator::~PromptEvaluator() = default;

void PromptEvaluator::reserveRows(int64_t rows, int64_t tokens) {
  if (rows_ && rows_->batch() == rows && rows_->capacity() >= tokens) return;
  // Grow geometrically so that a little longer prompt does not reallocate every time.
  const int64_t capacity =
      rows_ && rows_->batch() == rows ? std::max(tokens, rows_->capacity() * 3 / 2) : tokens;
  rows_.reset(); // free the old one first: it may be large
  rows_ = std::make_unique<KvCache>(model_.config(), rows, capacity, model_.dtype(), model_.device());
}

std::optional<at::Tensor> PromptEvaluator::prefill(const std::vector<PromptJob>& jobs, Batch& batch,
                                                   std::vector<PromptEvaluation>& out,
                                                   const std::atomic<bool>* cancel) {
  rows_->truncate(0);
  rows_->advance(batch.width); // the columns the copies below fill
  std::vector<at::Tensor> last;
  for (int64_t i = 0; i < batch.rows; ++i) {
    const auto& prompt = jobs[static_cast<size_t>(i)].prompt;
    PromptEvaluation& e = out[static_cast<size_t>(i)];
    if (cancel && cancel->load()) return std::nullopt;
    const auto t0 = Clock::now();
    const int64_t before = cache_.computedTokens();
    last.push_back(cache_.feed(prompt)); // [vocab] fp32: predicts the first new token
    e.prefillTokens = cache_.computedTokens() - before;
    cache_.copyTo(*rows_, i);
    const auto n = static_cast<int64_t>(prompt.size());
    if (n < batch.width) {
      // Pads must hold finite numbers: a masked score is -inf only if q.k is finite.
      for (int64_t l = 0; l < model_.config().numLayers; ++l) {
        auto [k, v] = rows_->held(l); // [B, n_kv, width, head_dim]
        k.select(0, i).narrow(1, n, batch.width - n).zero_();
        v.select(0, i).narrow(1, n, batch.width - n).zero_();
      }
    }
    batch.keyMask.select(0, i).narrow(0, 0, n).fill_(true);
    batch.held[static_cast<size_t>(i)] = n;
    e.seconds = since(t0);
  }
  return at::stack(last); // [B, vocab]
}

bool PromptEvaluator::teacherForce(const std::vector<PromptJob>& jobs, const at::Tensor& last, Batch& batch,
                                   std::vector<PromptEvaluation>& out, const std::atomic<bool>* cancel) {
  // log p(a_0 | prompt) + sum_i log p(a_i | prompt, a_<i): a_0 from the prompt's
  // last logits, the rest from one pass over a_0 .. a_{n-2}.
  int64_t forced = 0;
  for (const auto& job : jobs)
    forced = std::max<int64_t>(forced, static_cast<int64_t>(job.answer.size()) - 1);
  at::Tensor logp; // [B, forced, vocab]
  if (forced > 0) {
    if (cancel && cancel->load()) return false;
    at::Tensor ids = at::zeros({batch.rows, forced}, at::kLong);       // [B, forced]; pads: id 0
    at::Tensor positions = at::zeros({batch.rows, forced}, at::kLong); // [B, forced]
    auto id = ids.accessor<int64_t, 2>();
    auto pos = positions.accessor<int64_t, 2>();
    for (int64_t i = 0; i < batch.rows; ++i) {
      const auto& answer = jobs[static_cast<size_t>(i)].answer;
      const int64_t real = std::max<int64_t>(static_cast<int64_t>(answer.size()) - 1, 0);
      for (int64_t t = 0; t < forced; ++t) {
        pos[i][t] = batch.held[static_cast<size_t>(i)] + t;
        if (t < real) id[i][t] = answer[static_cast<size_t>(t)];
      }
      batch.keyMask.select(0, i).narrow(0, batch.width, real).fill_(true);
    }
    const int64_t cached = rows_->length();
    logp = model_.forward(batch.next(ids, positions, cached), rows_.get()).log_softmax(-1);
    // Back to the prompts alone for decoding.
    rows_->truncate(cached);
    batch.keyMask.narrow(1, batch.width, forced).fill_(false);
  }
  for (int64_t i = 0; i < batch.rows; ++i) {
    const auto& answer = jobs[static_cast<size_t>(i)].answer;
    if (answer.empty()) continue;
    double sum = last[i].log_softmax(-1)[answer[0]].item<double>();
    for (size_t t = 1; t < answer.size(); ++t)
      sum += logp[i][static_cast<int64_t>(t - 1)][answer[t]].item<double>();
    out[static_cast<size_t>(i)].answerLogprob = sum;
  }
  return true;
}

bool PromptEvaluator::decode(at::Tensor logits, Batch& batch, std::vector<PromptEvaluation>& out,
                             const std::atomic<bool>* cancel) {
  const auto rows = static_cast<size_t>(batch.rows);
  std::vector<std::vector<int32_t>> generated(rows);
  std::vector<bool> running(rows, true);
  auto stop = [&](size_t i, const char* reason) {
    out[i].stopReason = reason;
    running[i] = false;
  };
  while (true) {
    // Every running row picks its token from its last logits [B, vocab].
    const at::Tensor best = logits.argmax(-1).to(at::kCPU); // [B]
    auto bestId = best.accessor<int64_t, 1>();
    std::vector<bool> feeds(rows, false);
    for (size_t i = 0; i < rows; ++i) {
      if (!running[i]) continue;
      std::vector<int32_t>& g = generated[i];
      if (static_cast<int64_t>(g.size()) >= options_.maxNewTokens) {
        stop(i, "length");
        continue;
      }
      const auto next = static_cast<int32_t>(bestId[static_cast<int64_t>(i)]);
      if (std::find(options_.stopIds.begin(), options_.stopIds.end(), next) != options_.stopIds.end()) {
        stop(i, "eos");
        continue;
      }
      g.push_back(next);
      if (TaskResponse::complete(options_.task, tokenizer_.decode(g)))
        stop(i, "newline");
      else if (static_cast<int64_t>(g.size()) >= options_.maxNewTokens)
        stop(i, "length");
      else if (options_.contextLength > 0 && batch.held[i] >= options_.contextLength)
        stop(i, "context");
      else
        feeds[i] = true;
    }
    if (std::none_of(feeds.begin(), feeds.end(), [](bool f) { return f; })) break;
    if (cancel && cancel->load()) return false;

    // One pass with the new token of every row that goes on; finished rows feed
    // a masked pad whose output is never read.
    const int64_t column = rows_->length();
    at::Tensor ids = at::zeros({batch.rows, 1}, at::kLong);       // [B, 1]
    at::Tensor positions = at::zeros({batch.rows, 1}, at::kLong); // [B, 1]
    auto id = ids.accessor<int64_t, 2>();
    auto pos = positions.accessor<int64_t, 2>();
    auto mask = batch.keyMask.accessor<bool, 2>();
    for (size_t i = 0; i < rows; ++i) {
      if (!feeds[i]) continue;
      const auto r = static_cast<int64_t>(i);
      id[r][0] = generated[i].back();
      pos[r][0] = batch.held[i]++;
      mask[r][column] = true;
    }
    logits = model_.forward(batch.next(ids, positions, column), rows_.get()).select(1, 0); // [B, vocab]
  }
  for (size_t i = 0; i < rows; ++i) {
    PromptEvaluation& e = out[i];
    e.decodeTokens = static_cast<int64_t>(generated[i].size());
    e.prediction = TaskResponse::prediction(options_.task, tokenizer_.decode(generated[i]));
  }
  return true;
}

std::optional<std::vector<PromptEvaluation>> PromptEvaluator::evaluate(const std::vector<PromptJob>& jobs,
                                                                       const std::atomic<bool>* cancel) {
  std::vector<PromptEvaluation> out(jobs.size());
  if (jobs.empty()) return out;
  at::NoGradGuard noGrad;
  Batch batch;
  batch.rows = static_cast<int64_t>(jobs.size());
  size_t longestAnswer = 0;
  for (size_t i = 0; i < jobs.size(); ++i) {
    batch.width = std::max(batch.width, static_cast<int64_t>(jobs[i].prompt.size()));
    longestAnswer = std::max(longestAnswer, jobs[i].answer.size());
    out[i].promptTokens = static_cast<int64_t>(jobs[i].prompt.size());
    out[i].answerTokens = static_cast<int64_t>(jobs[i].answer.size());
  }
  // After the prompts come at most the answer (teacher forcing) or the generated tokens.
  const int64_t after = std::max(static_cast<int64_t>(longestAnswer), options_.maxNewTokens);
  reserveRows(batch.rows, batch.width + after);
  batch.held.assign(jobs.size(), 0);
  batch.keyMask = at::zeros({batch.rows, rows_->capacity()}, at::kBool);

  const std::optional<at::Tensor> last = prefill(jobs, batch, out, cancel);
  if (!last) return std::nullopt;
  const auto t0 = Clock::now();
  if (!teacherForce(jobs, *last, batch, out, cancel)) return std::nullopt;
  if (!decode(*last, batch, out, cancel)) return std::nullopt;
  // The batched passes served every row alike: each gets an equal share of their time.
  const double share = since(t0) / static_cast<double>(jobs.size());
  for (auto& e : out)
    e.seconds += share;
  return out;
}

} // namespace poslab
