#include "core/sweep/SweepRecord.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <type_traits>

namespace poslab {

std::string SweepRecord::key() const {
  return std::to_string(example) + "@" + (position ? std::to_string(*position) : baseline);
}

nlohmann::ordered_json SweepRecord::toJson() const {
  nlohmann::ordered_json j;
  j["example"] = example;
  j["id"] = id;
  j["position"] = position ? nlohmann::ordered_json(*position) : nlohmann::ordered_json(nullptr);
  if (!baseline.empty()) j["baseline"] = baseline;
  j["prediction"] = prediction;
  j["score"] = score;
  j["exact_match"] = exactMatch;
  j["answer_logprob"] =
      answerLogprob ? nlohmann::ordered_json(*answerLogprob) : nlohmann::ordered_json(nullptr);
  j["answer_tokens"] = answerTokens;
  j["prompt_tokens"] = promptTokens;
  j["prefill_tokens"] = prefillTokens;
  j["decode_tokens"] = decodeTokens;
  j["stop_reason"] = stopReason;
  j["time_s"] = timeSeconds;
  return j;
}

SweepRecord SweepRecord::fromJson(const nlohmann::json& j, const std::string& file, size_t line) {
  const std::string where = file + ": line " + std::to_string(line);
  if (!j.is_object()) fail(where, "", "expected a JSON object");
  // Every field through JsonFile's checks: a wrong type or a number that does
  // not fit (a position of -1 or 1e300) is one line naming it, never a wrapped value.
  auto read = [&](const char* key, auto& out) { JsonFile::readField(j, key, out, where); };
  auto need = [&](const char* key, auto& out) {
    if (!j.contains(key)) fail(where, key, "missing");
    read(key, out);
  };
  // A required field that may be null (a baseline has no position; a decoded
  // task no forced answer).
  auto nullable = [&](const char* key, auto& out) {
    if (!j.contains(key)) fail(where, key, "missing");
    if (j[key].is_null()) return;
    typename std::decay_t<decltype(out)>::value_type v{};
    read(key, v);
    out = v;
  };
  SweepRecord r;
  need("example", r.example);
  r.id = std::to_string(r.example);
  read("id", r.id);
  nullable("position", r.position);
  read("baseline", r.baseline);
  if (!r.position && r.baseline != "closed_book" && r.baseline != "oracle")
    fail(where, "baseline", "a record without a position must be closed_book or oracle");
  need("prediction", r.prediction);
  need("score", r.score);
  read("exact_match", r.exactMatch);
  nullable("answer_logprob", r.answerLogprob);
  read("answer_tokens", r.answerTokens);
  need("prompt_tokens", r.promptTokens);
  r.prefillTokens = r.promptTokens;
  read("prefill_tokens", r.prefillTokens);
  read("decode_tokens", r.decodeTokens);
  read("stop_reason", r.stopReason);
  need("time_s", r.timeSeconds);
  return r;
}

} // namespace poslab
