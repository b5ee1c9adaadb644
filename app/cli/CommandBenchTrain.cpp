// poslab-cli bench train MODEL [--batch 8] [--tokens 512] [--dtype f32|bf16] [--steps 3] [--threads N]
//                              [--checkpoint-activations] [--lora R] [--python-reference SCRIPT]
// PosLab's training step (core/train/TrainStepBenchmark) in tokens/s and as a
// fraction of the matmul peak measured in the same process, and with
// --python-reference the same step in eager PyTorch, as a ratio.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/bench/Benchmark.h"
#include "core/engine/Engine.h"
#include "core/train/TrainStepBenchmark.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <thread>

namespace poslab::cli {

void addBenchTrainCommand(CLI::App& bench) {
  auto* cmd = bench.add_subcommand(
      "train", "Training-step throughput (forward, backward, AdamW) vs peak and eager PyTorch");
  struct Args {
    std::string model, pythonScript, python = "python3";
    int threads = 0;
    TrainStepOptions step;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder or .gguf file")->required();
  cmd->add_option("--batch", a->step.batch, "Sequences per step (default 8)")->check(CLI::Range(1, 4096));
  cmd->add_option("--tokens", a->step.tokens, "Tokens per sequence (default 512)")
      ->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--dtype", a->step.dtype, "f32 or bf16 (bf16 compute, fp32 master weights and moments)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  cmd->add_option("--steps", a->step.steps, "Timed steps after one warm-up step (default 3)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--checkpoint-activations", a->step.checkpointActivations,
                "Recompute each layer in backward");
  cmd->add_option("--lora", a->step.loraRank, "Train rank-R LoRA adapters instead of every weight")
      ->check(CLI::Range(int64_t(1), int64_t(4096)));
  cmd->add_option("--python-reference", a->pythonScript,
                  "tests/reference/bench_train_reference.py: the same step in eager PyTorch");
  cmd->add_option("--python", a->python, "Interpreter with torch for --python-reference");
  cmd->callback([a] {
    if (!a->pythonScript.empty() && (a->step.loraRank > 0 || a->step.checkpointActivations))
      fail(a->pythonScript, "--python-reference", "the reference trains every weight without recomputation");
    LoadOptions load;
    load.threads = a->threads;
    auto engine = Engine::open(a->model, load); // f32 weights: the trainer makes its own bf16 copies
    const int threads = configureThreads(a->threads);
    const MatmulPeak peak = Benchmark::matmulPeak(a->step.dtype, 2048, 5);
    const CpuSeconds before = ProcessCpu::now();
    const TrainStepResult r = TrainStepBenchmark::run(*engine, a->step);
    nlohmann::json out = {
        {"model", {{"path", engine->info().path}, {"parameters", engine->info().parameters}}},
        {"allocator", ProcessCpu::allocator()},
        {"threads", threads},
        {"dtype", a->step.dtype},
        {"batch", a->step.batch},
        {"tokens", a->step.tokens},
        {"checkpoint_activations", a->step.checkpointActivations},
        {"lora", a->step.loraRank},
        {"trained_parameters", r.trainedParameters},
        {"matmul_peak_gflops", peak.gflops},
        {"step",
         {{"seconds", r.seconds},
          {"median_seconds", r.medianSeconds},
          {"tokens_per_s", r.tokensPerSecond},
          {"gflops", r.gflops},
          {"fraction_of_peak", r.gflops / peak.gflops},
          {"loss_first", r.firstLoss},
          {"loss_last", r.lastLoss}}},
        {"cpu", cpuJson(before)}};
    if (!a->pythonScript.empty()) {
      const nlohmann::json ref = runPythonJson(
          a->python, a->pythonScript,
          "--model '" + engine->info().path + "' --batch " + std::to_string(a->step.batch) + " --tokens " +
              std::to_string(a->step.tokens) + " --threads " + std::to_string(threads) + " --dtype " +
              a->step.dtype + " --steps " + std::to_string(a->step.steps),
          threads);
      out["python_reference"] = ref;
      if (ref.contains("tokens_per_s") && ref["tokens_per_s"].is_number())
        out["speedup_vs_python"] = r.tokensPerSecond / ref["tokens_per_s"].get<double>();
    }
    printJson(out);
  });
}

} // namespace poslab::cli
