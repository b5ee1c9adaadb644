#include "core/bench/Benchmark.h"

#include "core/engine/Engine.h"
#include "core/model/Generator.h"
#include "core/model/KvCache.h"
#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"
#include "core/util/Error.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <chrono>
#include <limits>

namespace poslab {

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

at::ScalarType benchDtype(const std::string& dtype) {
  if (dtype == "f32") return at::kFloat;
  if (dtype == "bf16") return at::kBFloat16;
  fail("", "dtype", "unknown '" + dtype + "' (use f32 or bf16)");
}

// Random ids spread over the vocabulary: realistic for matmul speed, and the
// same ids every run.
at::Tensor benchIds(int64_t batch, int64_t tokens, int64_t vocab) {
  at::Tensor ids = at::arange(batch * tokens, at::kLong).mul_(7919).remainder_(vocab);
  return ids.view({batch, tokens});
}

} // namespace

MatmulPeak Benchmark::matmulPeak(const std::string& dtype, int64_t n, int repeats) {
  at::NoGradGuard noGrad;
  const at::ScalarType t = benchDtype(dtype);
  at::Tensor a = at::randn({n, n}).to(t), b = at::randn({n, n}).to(t);
  at::Tensor c = at::matmul(a, b); // warm-up: oneDNN/BLAS pick their kernels here
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < repeats; ++r) {
    auto t0 = Clock::now();
    at::matmul_out(c, a, b);
    best = std::min(best, seconds(t0));
  }
  return {dtype, n, at::get_num_threads(), 2.0 * static_cast<double>(n * n * n) / best / 1e9};
}

double Benchmark::prefillFlops(const Engine& engine, int64_t tokens) {
  const ModelInfo& i = engine.info();
  const double T = static_cast<double>(tokens);
  const double d = static_cast<double>(i.hiddenSize), q = static_cast<double>(i.heads * i.headDim),
               kv = static_cast<double>(i.kvHeads * i.headDim), ff = static_cast<double>(i.intermediateSize);
  const double projections = d * (q + 2 * kv) + q * d + 3 * d * ff; // per token per layer
  const double attention = 2.0 * q * (T + 1) / 2.0;                 // QK^T and PV over the causal half
  const double perLayer = 2.0 * T * (projections + attention);
  return static_cast<double>(i.layers) * perLayer + 2.0 * T * d * static_cast<double>(i.vocabSize);
}

PrefillResult Benchmark::prefill(const Engine& engine, int64_t batch, int64_t tokens, int repeats) {
  at::NoGradGuard noGrad;
  const LlamaModel& model = engine.model();
  at::Tensor ids = benchIds(batch, tokens, model.config().vocabSize);
  at::Tensor pos = at::arange(tokens, at::kLong).expand({batch, tokens}).contiguous();
  // The reference's work (tests/reference/bench_reference.py): embedding to LM
  // head for every position, logits in the compute dtype. forward() would also
  // upcast all T x vocab logits to fp32, which no prefill needs (Generator
  // upcasts only the last position's) and the reference does not do.
  auto prefillOnce = [&] { return at::linear(model.hidden({ids, pos, {}}), model.weights().lmHead); };
  prefillOnce(); // warm-up
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(1, repeats); ++r) {
    auto t0 = Clock::now();
    prefillOnce();
    best = std::min(best, seconds(t0));
  }
  PrefillResult out;
  out.dtype = engine.info().computeDtype;
  out.threads = at::get_num_threads();
  out.batch = batch;
  out.tokens = tokens;
  out.seconds = best;
  out.tokensPerSecond = static_cast<double>(batch * tokens) / best;
  out.gflops = static_cast<double>(batch) * prefillFlops(engine, tokens) / best / 1e9;
  return out;
}

DecodeResult Benchmark::decode(const Engine& engine, int64_t contextTokens, int64_t newTokens) {
  const LlamaModel& model = engine.model();
  std::vector<int32_t> prompt(static_cast<size_t>(contextTokens));
  at::Tensor ids = benchIds(1, contextTokens, model.config().vocabSize);
  for (int64_t t = 0; t < contextTokens; ++t)
    prompt[static_cast<size_t>(t)] = static_cast<int32_t>(ids[0][t].item<int64_t>());
  Generator gen(model, nullptr);
  GenerationSettings s;
  s.maxNewTokens = newTokens; // no stop ids: always the full count
  GenerationStats stats;
  gen.greedy({prompt}, s, {}, nullptr, &stats);
  // The first new token comes from the prefill's logits; the decode time covers
  // the forwards of the others.
  const int64_t forwards = std::max<int64_t>(stats.decodeTokens - 1, 0);
  return {contextTokens, forwards, stats.decodeSeconds,
          static_cast<double>(forwards) / std::max(stats.decodeSeconds, 1e-9)};
}

std::string Benchmark::mixedText(int64_t bytes) {
  // Unique words per block so a BPE cache cannot turn the run into lookups only.
  static const char* kParts[] = {
      "The committee met on Tuesday to discuss the 2024 budget, which grew by 3.7% over last year's. ",
      "for (int i = 0; i < n; ++i) { sum += values[i] * weights[i]; }\n",
      "\u5728\u4e2d\u95f4\u8ff7\u5931\u7684\u4fe1\u606f\u5f88\u96be\u88ab\u627e\u5230\u3002 ",
      "\u041f\u043e\u0437\u0438\u0446\u0438\u043e\u043d\u043d\u043e\u0435 "
      "\u0441\u043c\u0435\u0449\u0435\u043d\u0438\u0435 ",
      "\U0001F999 \U0001F468\u200D\U0001F469\u200D\U0001F467 ok!! ",
      "    Hello\n\tworld  --  'quoted' \"text\" (parenthesised) [1] ",
  };
  std::string text;
  for (int64_t block = 0; static_cast<int64_t>(text.size()) < bytes; ++block) {
    for (const char* p : kParts)
      text += p;
    text += "item" + std::to_string(block * 7919 % 100003) + " ";
  }
  text.resize(static_cast<size_t>(bytes));
  // Do not end inside a UTF-8 sequence.
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
    text.pop_back();
  if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80)) text.pop_back();
  return text;
}

TokenizerResult Benchmark::tokenize(const Tokenizer& tokenizer, const std::string& text, int repeats) {
  TokenizerResult r;
  r.kind = tokenizer.kind();
  r.bytes = static_cast<int64_t>(text.size());
  r.seconds = std::numeric_limits<double>::infinity();
  for (int i = 0; i < std::max(1, repeats); ++i) {
    auto t0 = Clock::now();
    Encoding e = tokenizer.encode(text);
    const double s = seconds(t0);
    if (i == 0) r.coldSeconds = s;
    r.seconds = std::min(r.seconds, s);
    r.tokens = static_cast<int64_t>(e.ids.size());
  }
  r.megabytesPerSecond = static_cast<double>(r.bytes) / 1e6 / r.seconds;
  r.coldMegabytesPerSecond = static_cast<double>(r.bytes) / 1e6 / r.coldSeconds;
  return r;
}

} // namespace poslab
