#include "core/train/TrainerState.h"

#include "core/util/Error.h"

namespace poslab {

namespace {
constexpr const char* kFormat = "poslab-trainer-state";
constexpr int kVersion = 1;
} // namespace

nlohmann::json TrainerState::toJson() const {
  return {{"format", kFormat},
          {"version", kVersion},
          {"step", step},
          {"sampler", {{"seed", settings.seed}, {"epoch", sampler.epoch}, {"index", sampler.index}}},
          {"sequence_count", sequenceCount},
          {"losses", losses},
          {"tokens", tokens},
          {"targets", targets},
          {"elapsed_s", elapsedSeconds},
          {"settings", settings.toJson()}};
}

TrainerState TrainerState::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "", "must be a JSON object");
  auto field = [&](const char* key) -> const nlohmann::json& {
    auto it = j.find(key);
    if (it == j.end()) fail(source, key, "missing");
    return *it;
  };
  if (field("format") != kFormat) fail(source, "format", std::string("is not \"") + kFormat + "\"");
  if (field("version") != kVersion) fail(source, "version", "unsupported (this build reads version 1)");
  TrainerState s;
  try {
    s.step = field("step").get<int64_t>();
    s.sequenceCount = field("sequence_count").get<uint64_t>();
    s.losses = field("losses").get<std::vector<double>>();
    s.tokens = field("tokens").get<int64_t>();
    s.targets = field("targets").get<int64_t>();
    s.elapsedSeconds = field("elapsed_s").get<double>();
  } catch (const nlohmann::json::exception&) {
    fail(source, "step/sequence_count/losses/tokens/targets/elapsed_s", "wrong type");
  }
  if (s.step < 0) fail(source, "step", "must be >= 0");
  if (s.losses.size() != static_cast<size_t>(s.step))
    fail(source, "losses",
         std::to_string(s.losses.size()) + " values for " + std::to_string(s.step) + " steps");
  s.sampler = SequenceSampler::stateFromJson(field("sampler"), source);
  s.settings = TrainingSettings::fromJson(field("settings"), source + ": settings");
  return s;
}

} // namespace poslab
