#include "core/train/TrainingSettings.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <algorithm>
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
  need(microBatch >= 0, "micro_batch", "must be >= 0 (0 = the whole batch)");
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
  need(loraRank >= 0 && loraRank <= 4096, "lora.r", "must be in [0, 4096] (0 = no LoRA)");
  need(loraAlpha >= 0, "lora.alpha", "must be >= 0 (0 = 2 x r)");
  for (const std::string& t : loraTargets)
    need(t == "q_proj" || t == "k_proj" || t == "v_proj" || t == "o_proj" || t == "gate_proj" ||
             t == "up_proj" || t == "down_proj",
         "lora.targets",
         "'" + t + "' is not one of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
}

int64_t TrainingSettings::microBatches() const {
  const int64_t micro = microBatch > 0 ? std::min(microBatch, batchSize) : batchSize;
  return (batchSize + micro - 1) / micro;
}

nlohmann::json TrainingSettings::toJson() const {
  nlohmann::json j = {{"lr", lr},
                      {"min_lr_ratio", minLrRatio},
                      {"warmup_steps", warmupSteps},
                      {"total_steps", totalSteps},
                      {"batch_size", batchSize},
                      {"micro_batch", microBatch},
                      {"activation_checkpointing", activationCheckpointing},
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
  // Only for LoRA runs, so full fine-tuning runs read as before.
  if (loraRank > 0)
    j["lora"] = {
        {"r", loraRank}, {"alpha", loraScaleAlpha()}, {"targets", loraTargets}, {"rslora", loraRsLora}};
  return j;
}

TrainingSettings TrainingSettings::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "settings", "must be a JSON object");
  TrainingSettings s;
  const std::set<std::string> known = {"lr",
                                       "min_lr_ratio",
                                       "warmup_steps",
                                       "total_steps",
                                       "batch_size",
                                       "micro_batch",
                                       "activation_checkpointing",
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
                                       "shuffle",
                                       "lora"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key())) fail(source, it.key(), "unknown training setting");
  JsonFile::readField(j, "lr", s.lr, source);
  JsonFile::readField(j, "min_lr_ratio", s.minLrRatio, source);
  JsonFile::readField(j, "warmup_steps", s.warmupSteps, source);
  JsonFile::readField(j, "total_steps", s.totalSteps, source);
  JsonFile::readField(j, "batch_size", s.batchSize, source);
  JsonFile::readField(j, "micro_batch", s.microBatch, source);
  JsonFile::readField(j, "activation_checkpointing", s.activationCheckpointing, source);
  if (j.contains("grad_accumulation")) { // the older form, see the header
    int64_t accumulation = 1;
    JsonFile::readField(j, "grad_accumulation", accumulation, source);
    if (accumulation < 1) fail(source, "grad_accumulation", "must be >= 1");
    if (j.contains("micro_batch")) fail(source, "grad_accumulation", "cannot be combined with micro_batch");
    if (accumulation > 1) s.microBatch = s.batchSize;
    s.batchSize *= accumulation;
  }
  JsonFile::readField(j, "clip_norm", s.clipNorm, source);
  JsonFile::readField(j, "weight_decay", s.weightDecay, source);
  JsonFile::readField(j, "beta1", s.beta1, source);
  JsonFile::readField(j, "beta2", s.beta2, source);
  JsonFile::readField(j, "eps", s.eps, source);
  JsonFile::readField(j, "seed", s.seed, source);
  JsonFile::readField(j, "dtype", s.dtype, source);
  JsonFile::readField(j, "loss_on", s.lossOn, source);
  JsonFile::readField(j, "checkpoint_every", s.checkpointEvery, source);
  JsonFile::readField(j, "keep_checkpoints", s.keepCheckpoints, source);
  JsonFile::readField(j, "log_every", s.logEvery, source);
  JsonFile::readField(j, "shuffle", s.shuffle, source);
  if (auto lora = j.find("lora"); lora != j.end() && !lora->is_null()) {
    if (!lora->is_object()) fail(source, "lora", "must be an object {r, alpha, targets, rslora}");
    for (auto it = lora->begin(); it != lora->end(); ++it)
      if (it.key() != "r" && it.key() != "alpha" && it.key() != "targets" && it.key() != "rslora")
        fail(source, "lora." + it.key(), "unknown LoRA setting");
    JsonFile::readField(*lora, "r", s.loraRank, source + ": lora");
    JsonFile::readField(*lora, "alpha", s.loraAlpha, source + ": lora");
    JsonFile::readField(*lora, "targets", s.loraTargets, source + ": lora");
    JsonFile::readField(*lora, "rslora", s.loraRsLora, source + ": lora");
    if (s.loraRank < 1) fail(source, "lora.r", "must be >= 1 in a lora object");
  }
  s.validate(source);
  return s;
}

} // namespace poslab
