#include "core/distill/DistillSettings.h"

#include "core/train/TrainingSettings.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <set>

namespace poslab {

void DistillSettings::validate(const std::string& source) const {
  auto need = [&](bool ok, const char* field, const std::string& detail) {
    if (!ok) fail(source, field, detail);
  };
  const std::set<std::string> methods = {"r1", "r2", "sft", "seqkd"};
  need(methods.count(method) > 0, "method", "must be r1, r2, sft or seqkd, not \"" + method + "\"");
  need(questions >= 1, "questions", "must be >= 1");
  need(k >= 1, "k", "must be >= 1");
  need(teacherPosition >= 0, "teacher_position", "must be >= 0");
  need(distractorOrder == "kept" || distractorOrder == "redrawn", "distractor_order",
       "must be \"kept\" or \"redrawn\", not \"" + distractorOrder + "\"");
  need(decoding == "greedy" || decoding == "sampled", "decoding",
       "must be \"greedy\" or \"sampled\", not \"" + decoding + "\"");
  need(temperature > 0, "temperature", "must be > 0");
  need(topP > 0 && topP <= 1, "top_p", "must be in (0, 1]");
  need(maxNewTokens >= 0, "max_new_tokens", "must be >= 0");
  need(weighting == "paper" || weighting == "code" || weighting == "uniform", "weighting",
       "must be paper, code or uniform, not \"" + weighting + "\"");
  need(lambda >= 0, "lambda", "must be >= 0");
  need(teacher == "cache" || teacher == "live", "teacher",
       "must be \"cache\" or \"live\", not \"" + teacher + "\"");
  need(epochs >= 0, "epochs", "must be >= 0");
  need(warmupFraction >= 0 && warmupFraction < 1, "warmup_fraction", "must be in [0, 1)");
  need(evalExamples >= 1, "eval_examples", "must be >= 1");
  need(evalEvery >= 0, "eval_every", "must be >= 0");
  need(!evalPositions.empty(), "eval_positions", "must not be empty");
}

nlohmann::json DistillSettings::toJson() const {
  return {{"method", method},
          {"questions", questions},
          {"k", k},
          {"teacher_position", teacherPosition},
          {"anchors", anchors},
          {"distractor_order", distractorOrder},
          {"decoding", decoding},
          {"temperature", temperature},
          {"top_p", topP},
          {"max_new_tokens", maxNewTokens},
          {"weighting", weighting},
          {"lambda", lambda},
          {"teacher", teacher},
          {"epochs", epochs},
          {"warmup_fraction", warmupFraction},
          {"eval_data", evalData},
          {"eval_positions", evalPositions},
          {"eval_examples", evalExamples},
          {"eval_every", evalEvery}};
}

DistillSettings DistillSettings::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "distill", "must be a JSON object");
  DistillSettings s;
  const nlohmann::json known = s.toJson();
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.contains(it.key())) fail(source, it.key(), "unknown distill setting");
  JsonFile::readField(j, "method", s.method, source);
  JsonFile::readField(j, "questions", s.questions, source);
  JsonFile::readField(j, "k", s.k, source);
  JsonFile::readField(j, "teacher_position", s.teacherPosition, source);
  JsonFile::readField(j, "anchors", s.anchors, source);
  JsonFile::readField(j, "distractor_order", s.distractorOrder, source);
  JsonFile::readField(j, "decoding", s.decoding, source);
  JsonFile::readField(j, "temperature", s.temperature, source);
  JsonFile::readField(j, "top_p", s.topP, source);
  JsonFile::readField(j, "max_new_tokens", s.maxNewTokens, source);
  JsonFile::readField(j, "weighting", s.weighting, source);
  JsonFile::readField(j, "lambda", s.lambda, source);
  JsonFile::readField(j, "teacher", s.teacher, source);
  JsonFile::readField(j, "epochs", s.epochs, source);
  JsonFile::readField(j, "warmup_fraction", s.warmupFraction, source);
  JsonFile::readField(j, "eval_data", s.evalData, source);
  JsonFile::readField(j, "eval_positions", s.evalPositions, source);
  JsonFile::readField(j, "eval_examples", s.evalExamples, source);
  JsonFile::readField(j, "eval_every", s.evalEvery, source);
  s.validate(source);
  return s;
}

void DistillSettings::applyPreset(const std::string& name, DistillSettings& d, TrainingSettings& t) {
  if (name == "paper") {
    // METHOD.md §2b: AdamW (0.9, 0.95), wd 0.01, lr 3e-6, cosine with 5 % warm-up to 0.1×,
    // clip 1.0, batch 32, 2 epochs, 300 questions × K = 4 + one anchor, seed 42, bf16.
    d.questions = 300;
    d.k = 4;
    d.anchors = true;
    d.epochs = 2;
    t.lr = 3e-6;
    t.beta1 = 0.9;
    t.beta2 = 0.95;
    t.weightDecay = 0.01;
    t.minLrRatio = 0.1;
    t.clipNorm = 1.0;
    t.batchSize = 32;
    t.seed = 42;
    t.dtype = "bf16";
    d.warmupFraction = 0.05; // of the total steps, known once the set is prepared
    return;
  }
  if (name == "demo") {
    // The bundled demo model (resources/demo): a 0.5 M-parameter Llama on 2 cores in minutes.
    d.questions = 400;
    d.k = 4;
    d.anchors = true;
    d.epochs = 0;
    d.evalExamples = 100;
    d.evalEvery = 50;
    t.lr = 1e-3;
    t.beta1 = 0.9;
    t.beta2 = 0.95;
    t.weightDecay = 0.0;
    t.minLrRatio = 0.1;
    t.clipNorm = 1.0;
    t.batchSize = 32;
    t.totalSteps = 300;
    t.warmupSteps = 20;
    t.seed = 1;
    t.dtype = "f32";
    t.checkpointEvery = 50;
    return;
  }
  if (name == "quick") {
    // The demo's recipe, cut to a check that everything runs (under a minute on
    // 2 cores): it flattens nothing, and its evaluations are noisy (n = 50).
    applyPreset("demo", d, t);
    d.questions = 64;
    d.evalExamples = 50;
    d.evalEvery = 10;
    t.totalSteps = 30;
    t.warmupSteps = 3;
    t.checkpointEvery = 10;
    return;
  }
  fail("", "--preset", "'" + name + "' is not paper, demo or quick");
}

} // namespace poslab
