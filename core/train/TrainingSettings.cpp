#include "core/train/TrainingSettings.h"

#include "core/util/Error.h"

#include <set>

namespace poslab {

void TrainingSettings::validate(const std::string& source) const {
  auto need = [&](bool ok, const char* field, const std::string& detail) {
    if (!ok) fail(source, field, detail);
  };
  need(lr > 0, "lr", "must be > 0");
  need(minLrRatio >= 0 && minLrRatio <= 1, "min_lr_ratio", "must be in [0, 1]");
  need(warmupSteps >= 0, "warmup_steps", "must be >= 0");
  need(totalSteps >= 1, "total_steps", "must be >= 1");
  need(batchSize >= 1, "batch_size", "must be >= 1");
  need(gradAccumulation >= 1, "grad_accumulation", "must be >= 1");
  need(weightDecay >= 0, "weight_decay", "must be >= 0");
  need(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1)");
  need(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1)");
  need(eps > 0, "eps", "must be > 0");
  need(dtype == "f32" || dtype == "bf16", "dtype", "must be \"f32\" or \"bf16\", not \"" + dtype + "\"");
  need(lossOn == "answer" || lossOn == "all", "loss_on",
       "must be \"answer\" or \"all\", not \"" + lossOn + "\"");
  need(checkpointEvery >= 0, "checkpoint_every", "must be >= 0");
  need(keepCheckpoints >= 1, "keep_checkpoints", "must be >= 1");
  need(logEvery >= 1, "log_every", "must be >= 1");
}

nlohmann::json TrainingSettings::toJson() const {
  return {{"lr", lr},
          {"min_lr_ratio", minLrRatio},
          {"warmup_steps", warmupSteps},
          {"total_steps", totalSteps},
          {"batch_size", batchSize},
          {"grad_accumulation", gradAccumulation},
          {"clip_norm", clipNorm},
          {"weight_decay", weightDecay},
          {"beta1", beta1},
          {"beta2", beta2},
          {"eps", eps},
          {"seed", seed},
          {"dtype", dtype},
          {"loss_on", lossOn},
          {"checkpoint_every", checkpointEvery},
          {"keep_checkpoints", keepCheckpoints},
          {"log_every", logEvery},
          {"shuffle", shuffle}};
}

namespace {

template <class T>
void readField(const nlohmann::json& j, const char* key, T& out, const std::string& source) {
  auto it = j.find(key);
  if (it == j.end()) return;
  try {
    out = it->get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(source, key, std::string("has the wrong type (") + it->type_name() + ")");
  }
}

} // namespace

TrainingSettings TrainingSettings::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "settings", "must be a JSON object");
  TrainingSettings s;
  const std::set<std::string> known = {"lr",
                                       "min_lr_ratio",
                                       "warmup_steps",
                                       "total_steps",
                                       "batch_size",
                                       "grad_accumulation",
                                       "clip_norm",
                                       "weight_decay",
                                       "beta1",
                                       "beta2",
                                       "eps",
                                       "seed",
                                       "dtype",
                                       "loss_on",
                                       "checkpoint_every",
                                       "keep_checkpoints",
                                       "log_every",
                                       "shuffle"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) fail(source, it.key(), "unknown training setting");
  readField(j, "lr", s.lr, source);
  readField(j, "min_lr_ratio", s.minLrRatio, source);
  readField(j, "warmup_steps", s.warmupSteps, source);
  readField(j, "total_steps", s.totalSteps, source);
  readField(j, "batch_size", s.batchSize, source);
  readField(j, "grad_accumulation", s.gradAccumulation, source);
  readField(j, "clip_norm", s.clipNorm, source);
  readField(j, "weight_decay", s.weightDecay, source);
  readField(j, "beta1", s.beta1, source);
  readField(j, "beta2", s.beta2, source);
  readField(j, "eps", s.eps, source);
  readField(j, "seed", s.seed, source);
  readField(j, "dtype", s.dtype, source);
  readField(j, "loss_on", s.lossOn, source);
  readField(j, "checkpoint_every", s.checkpointEvery, source);
  readField(j, "keep_checkpoints", s.keepCheckpoints, source);
  readField(j, "log_every", s.logEvery, source);
  readField(j, "shuffle", s.shuffle, source);
  s.validate(source);
  return s;
}

} // namespace poslab
