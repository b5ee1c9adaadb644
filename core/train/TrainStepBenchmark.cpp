#include "core/train/TrainStepBenchmark.h"

#include "core/bench/Benchmark.h"
#include "core/engine/Engine.h"
#include "core/train/CrossEntropyObjective.h"
#include "core/train/Trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <unistd.h>

namespace poslab {

std::vector<std::vector<int32_t>> TrainStepBenchmark::randomRows(int64_t vocab, int64_t batch,
                                                                 int64_t tokens) {
  // torch.randint(3, vocab, (batch, tokens), generator=manual_seed(7)) draws the same ids.
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(7);
  std::vector<std::vector<int32_t>> rows;
  for (int64_t b = 0; b < batch; ++b) {
    const at::Tensor ids = at::randint(3, vocab, {tokens}, gen, at::kLong); // [T]
    rows.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + tokens);
  }
  return rows;
}

TrainStepResult TrainStepBenchmark::run(Engine& engine, const TrainStepOptions& o) {
  // Random ids (seeded), the loss on every next token: the reference's workload.
  std::vector<TrainingSequence> sequences;
  for (auto& ids : randomRows(engine.model().config().vocabSize, o.batch, o.tokens)) {
    TrainingSequence s;
    s.ids = std::move(ids);
    s.lossMask.assign(static_cast<size_t>(o.tokens), 1);
    sequences.push_back(std::move(s));
  }
  return run(engine, o, std::make_shared<CrossEntropyObjective>(std::move(sequences), true));
}

TrainStepResult TrainStepBenchmark::run(Engine& engine, const TrainStepOptions& o,
                                        std::shared_ptr<const TrainingObjective> objective) {
  LlamaModel& model = engine.model();
  TrainingSettings s;
  s.lr = 1e-5;
  s.minLrRatio = 1.0; // a constant rate, as the reference's torch.optim.AdamW: the same steps
  s.warmupSteps = 0;
  s.totalSteps = o.steps + 1;
  s.batchSize = o.batch;
  s.dtype = o.dtype;
  s.lossOn = "all";
  s.shuffle = false;
  s.activationCheckpointing = o.checkpointActivations;
  s.loraRank = o.loraRank;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("poslab-bench-train-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::vector<double> stepSeconds;
  TrainStepResult r;
  {
    Trainer trainer(model, std::move(objective), s, dir.string());
    trainer.setFinalCheckpoint(false);
    auto last = std::chrono::steady_clock::now();
    trainer.setProgressCallback([&](const TrainingProgress&) {
      const auto now = std::chrono::steady_clock::now();
      stepSeconds.push_back(std::chrono::duration<double>(now - last).count());
      last = now;
    });
    const TrainingOutcome out = trainer.run();
    r.firstLoss = out.losses.front();
    r.lastLoss = out.losses.back();
    if (trainer.adapter())
      r.trainedParameters = trainer.adapter()->parameterCount();
    else
      for (at::Tensor* t : model.weights().all())
        r.trainedParameters += t->numel();
  }
  std::filesystem::remove_all(dir);
  // The first step warms the allocator and the kernels; the rest are timed.
  std::vector<double> timed(stepSeconds.begin() + 1, stepSeconds.end());
  std::sort(timed.begin(), timed.end());
  r.seconds = timed.front();
  r.medianSeconds = timed[timed.size() / 2];
  r.tokensPerSecond = static_cast<double>(o.batch * o.tokens) / r.seconds;
  const double passes = o.checkpointActivations ? 4.0 : 3.0; // backward ~2 forwards, +1 recomputation
  r.gflops =
      passes * static_cast<double>(o.batch) * Benchmark::prefillFlops(engine, o.tokens) / r.seconds / 1e9;
  return r;
}

} // namespace poslab
