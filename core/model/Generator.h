#pragma once
// Greedy decoding for a batch of prompts (left-padded, one KV cache), stopping
// each sequence on an end-of-sequence id, on a stop string, or at the limit.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace poslab {

class LlamaModel;
class Tokenizer;

struct GenerationSettings {
  int64_t maxNewTokens = 100;
  std::vector<int32_t> stopIds;         // usually EOS (and e.g. <|eot_id|>)
  std::vector<std::string> stopStrings; // e.g. "\n"; needs a tokenizer
};

struct GeneratedSequence {
  std::vector<int32_t> ids; // generated ids, including the one that stopped it
  std::string text;         // decoded, cut before a matched stop string; empty without a tokenizer
  std::string stopReason;   // "eos" | "stop-string" | "length" | "cancelled"
};

struct GenerationStats {
  int64_t prefillTokens = 0; // real (unpadded) prompt tokens
  int64_t decodeTokens = 0;  // generated tokens, all sequences
  double prefillSeconds = 0;
  double decodeSeconds = 0;
};

using TokenCallback = std::function<void(size_t sequence, int32_t id)>;

class Generator {
public:
  Generator(const LlamaModel& model, const Tokenizer* tokenizer);

  std::vector<GeneratedSequence> greedy(const std::vector<std::vector<int32_t>>& prompts,
                                        const GenerationSettings& settings, const TokenCallback& onToken = {},
                                        const std::atomic<bool>* cancel = nullptr,
                                        GenerationStats* stats = nullptr) const;

private:
  const LlamaModel& model_;
  const Tokenizer* tokenizer_;
};

} // namespace poslab
