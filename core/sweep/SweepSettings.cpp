#include "core/sweep/SweepSettings.h"

namespace poslab {

nlohmann::json SweepSettings::recordAffecting() const {
  nlohmann::json j = {{"data_format", dataFormat},
                      {"task", task},
                      {"docs", docs},
                      {"shuffle_seed", shuffleSeed ? nlohmann::json(*shuffleSeed) : nlohmann::json(nullptr)},
                      {"random_distractors", randomDistractors},
                      {"distractor_seed", distractorSeed},
                      {"prompt_template", promptTemplate},
                      {"chat_template", chatTemplate},
                      {"system", system},
                      {"max_new_tokens", maxNewTokens},
                      {"dtype", dtype}};
  return j;
}

nlohmann::json SweepSettings::toJson() const {
  // Binds every field by position, so a field added to SweepSettings stops this
  // compiling until it is counted here and written below: run.json and the
  // explorer's cache key (both made from toJson()) then cannot miss it.
  [[maybe_unused]] const auto& [f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15, f16, f17,
                                f18, f19, f20, f21, f22, f23, f24] = *this;
  nlohmann::json j = recordAffecting();
  j["model"] = modelPath;
  // Only with an adapter, so settings of sweeps without one read as before.
  if (!adapterPath.empty()) {
    j["adapter"] = adapterPath;
    j["merge_adapter"] = mergeAdapter;
  }
  j["data"] = dataPath;
  j["positions"] = positions.empty() ? nlohmann::json("all") : nlohmann::json(positions);
  j["limit"] = limit;
  j["skip_bad"] = skipBad;
  j["closed_book"] = closedBook;
  j["oracle"] = oracle;
  j["prefix_cache"] = prefixCache;
  j["batch"] = batch;
  j["device"] = device;
  j["threads"] = threads;
  return j;
}

} // namespace poslab
