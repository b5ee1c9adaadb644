#pragma once
// One (example, position) result of a sweep: a line of examples.jsonl
// (DESIGN.md "Sweep results"). Baselines have no position and name themselves.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace poslab {

struct SweepRecord {
  size_t example = 0;                  // 0-based index in the loaded dataset
  std::string id;                      // the example's own id
  std::optional<size_t> position;      // 0-based gold position; nullopt for a baseline
  std::string baseline;                // "" | "closed_book" | "oracle"
  std::string prediction;              // generated text (cut at the first newline for QA scoring)
  double score = 0;                    // best_subspan_em (QA) or KV substring (KV)
  double exactMatch = 0;               // SQuAD exact match of the first line
  std::optional<double> answerLogprob; // sum of log p over the first gold answer's tokens (teacher forcing)
  int64_t answerTokens = 0;            // tokens of that answer
  int64_t promptTokens = 0;            // tokens of the prompt
  int64_t prefillTokens = 0;           // tokens actually computed for it (fewer with prefix reuse)
  int64_t decodeTokens = 0;            // generated tokens
  std::string stopReason;              // "newline" | "eos" | "length" | "context"
  double timeSeconds = 0;

  // The key a resumed sweep uses to skip finished work: "17@4", "17@closed_book".
  std::string key() const;
  nlohmann::ordered_json toJson() const;
  // Throws poslab::Error naming file, line and field.
  static SweepRecord fromJson(const nlohmann::json& j, const std::string& file, size_t line);
};

} // namespace poslab
