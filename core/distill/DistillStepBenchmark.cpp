#include "core/distill/DistillStepBenchmark.h"

#include "core/distill/KlObjective.h"
#include "core/distill/TeacherDistributions.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

#include <ATen/Parallel.h>

#include <algorithm>

namespace poslab {

DistillStepResult DistillStepBenchmark::run(Engine& engine, const DistillStepOptions& o) {
  const int64_t T = o.step.tokens, R = o.responseTokens;
  if (R < 1 || R + 2 > T)
    fail("bench train", "--response-tokens",
         "must leave a prompt of at least 2 tokens: " + std::to_string(R) + " of " + std::to_string(T));
  if (o.teacher != "cache" && o.teacher != "live")
    fail("bench train", "--teacher", "must be cache or live, not \"" + o.teacher + "\"");
  DistillSet set;
  set.path = "bench train";
  int64_t b = 0;
  for (auto& row : TrainStepBenchmark::randomRows(engine.model().config().vocabSize, o.step.batch, T)) {
    DistillInstance d;
    d.question = b;
    d.kind = InstanceKind::Activation;
    d.goldPosition = {b};
    d.teacherPromptIds.assign(row.begin(), row.end() - R);
    d.responseIds.assign(row.end() - R, row.end());
    d.studentPromptIds = d.teacherPromptIds;
    const auto shift = static_cast<std::ptrdiff_t>((b + 1) % static_cast<int64_t>(d.studentPromptIds.size()));
    std::rotate(d.studentPromptIds.begin(), d.studentPromptIds.begin() + shift, d.studentPromptIds.end());
    set.instances.push_back(std::move(d));
    set.lines.push_back(0);
    ++b;
  }
  const KlObjective::Pairs pairs = KlObjective::teacherPairs(set);
  // A live teacher of a full fine-tuning run is a second, frozen copy (as
  // DistillJob's); a LoRA run's is its own base with the adapter off.
  std::unique_ptr<Engine> frozen;
  const LlamaModel* teacherModel = &engine.model();
  if (o.teacher == "live" && o.step.loraRank == 0) {
    LoadOptions load;
    load.threads = at::get_num_threads(); // as configured for the student
    frozen = Engine::open(engine.info().path, load);
    teacherModel = &frozen->model();
  }
  auto teacher = std::make_shared<TeacherDistributions>(
      *teacherModel, pairs.sequences,
      o.teacher == "live" ? TeacherDistributions::Mode::Live : TeacherDistributions::Mode::Cached);
  DistillStepResult r;
  r.teacherFillSeconds = teacher->fillSeconds();
  r.teacherCacheBytes = teacher->cachedBytes();
  r.step = TrainStepBenchmark::run(
      engine, o.step, std::make_shared<KlObjective>(set, pairs.ofInstance, teacher, Weighting::Paper, 1.0));
  return r;
}

} // namespace poslab
