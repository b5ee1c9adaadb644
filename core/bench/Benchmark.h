#pragma once
// Throughput measurements for `poslab-cli bench` (never timed tests: machines
// are shared and noisy). Every figure is reported beside the machine's own
// matmul peak, measured in the same process, so it reads as a fraction of it.
#include <cstdint>
#include <string>

namespace poslab {

class Engine;
class Tokenizer;

struct MatmulPeak {
  std::string dtype; // "f32" | "bf16"
  int64_t size = 0;  // n of the n x n x n product
  int threads = 0;
  double gflops = 0; // best of the repeats
};

struct PrefillResult {
  std::string dtype;
  int threads = 0;
  int64_t batch = 0;
  int64_t tokens = 0;         // per sequence
  double seconds = 0;         // best of the repeats
  double tokensPerSecond = 0; // batch * tokens / seconds
  double gflops = 0;          // model FLOPs (matmuls + attention) / seconds
};

struct DecodeResult {
  int64_t contextTokens = 0; // prompt before decoding
  int64_t newTokens = 0;
  double seconds = 0;
  double tokensPerSecond = 0;
};

struct TokenizerResult {
  std::string kind;                  // the tokenizer's kind()
  int64_t bytes = 0;                 // input size
  int64_t tokens = 0;                // ids produced
  double coldSeconds = 0;            // the first run: caches (e.g. BPE's per-word cache) start empty
  double seconds = 0;                // best of the repeats
  double megabytesPerSecond = 0;     // from seconds
  double coldMegabytesPerSecond = 0; // from coldSeconds
};

class Benchmark {
public:
  // Best-of-`repeats` n x n x n matmul in the given dtype at the current thread count.
  static MatmulPeak matmulPeak(const std::string& dtype, int64_t n, int repeats);
  // Forward FLOPs of one prefill of `tokens` tokens (2 per multiply-add).
  static double prefillFlops(const Engine& engine, int64_t tokens);
  static PrefillResult prefill(const Engine& engine, int64_t batch, int64_t tokens, int repeats);
  static DecodeResult decode(const Engine& engine, int64_t contextTokens, int64_t newTokens);
  // About `bytes` of mixed text: English prose, code, numbers, CJK, Cyrillic, emoji.
  static std::string mixedText(int64_t bytes);
  static TokenizerResult tokenize(const Tokenizer& tokenizer, const std::string& text, int repeats);
};

} // namespace poslab
