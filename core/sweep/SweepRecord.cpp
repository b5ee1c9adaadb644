#include "core/sweep/SweepRecord.h"

#include "core/util/Error.h"

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
  const std::string where = "line " + std::to_string(line);
  if (!j.is_object()) fail(file, where, "expected a JSON object");
  auto need = [&](const char* key) -> const nlohmann::json& {
    auto it = j.find(key);
    if (it == j.end()) fail(file, where + ": " + key, "missing");
    return *it;
  };
  SweepRecord r;
  try {
    r.example = need("example").get<size_t>();
    r.id = j.value("id", std::to_string(r.example));
    const auto& pos = need("position");
    if (!pos.is_null()) r.position = pos.get<size_t>();
    r.baseline = j.value("baseline", std::string());
    if (!r.position && r.baseline != "closed_book" && r.baseline != "oracle")
      fail(file, where + ": baseline", "a record without a position must be closed_book or oracle");
    r.prediction = need("prediction").get<std::string>();
    r.score = need("score").get<double>();
    r.exactMatch = j.value("exact_match", 0.0);
    const auto& lp = need("answer_logprob");
    if (!lp.is_null()) r.answerLogprob = lp.get<double>();
    r.answerTokens = j.value("answer_tokens", int64_t(0));
    r.promptTokens = need("prompt_tokens").get<int64_t>();
    r.prefillTokens = j.value("prefill_tokens", r.promptTokens);
    r.decodeTokens = j.value("decode_tokens", int64_t(0));
    r.stopReason = j.value("stop_reason", std::string());
    r.timeSeconds = need("time_s").get<double>();
  } catch (const nlohmann::json::exception& e) {
    fail(file, where, std::string("wrong type (") + e.what() + ")");
  }
  return r;
}

} // namespace poslab
