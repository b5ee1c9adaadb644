// poslab-cli bench train MODEL [--batch 8] [--tokens 512] [--dtype f32|bf16] [--steps 3] [--threads N]
//                              [--checkpoint-activations] [--lora R] [--python-reference SCRIPT]
//                              [--objective ce|r1] [--response-tokens 32] [--teacher cache|live]
// PosLab's training step (core/train/TrainStepBenchmark; Pos2Distill's R1 step:
// core/distill/DistillStepBenchmark) in tokens/s and as a fraction of the
// matmul peak measured in the same process, and with --python-reference the
// same step in eager PyTorch, as a ratio.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/bench/Benchmark.h"
#include "core/distill/DistillStepBenchmark.h"
#include "core/engine/Engine.h"
#include "core/train/TrainStepBenchmark.h"
#include "core/util/BlasKernels.h"
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
    std::string objective = "ce";
    DistillStepOptions distill; // its .step: every objective's workload
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder or .gguf file")->required();
  cmd->add_option("--batch", a->distill.step.batch, "Sequences per step (default 8)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--tokens", a->distill.step.tokens, "Tokens per sequence (default 512)")
      ->check(CLI::Range(2, 1 << 16));
  cmd->add_option("--dtype", a->distill.step.dtype,
                  "f32 or bf16 (bf16 compute, fp32 master weights and moments)")
      ->check(CLI::IsMember({"f32", "bf16"}));
  cmd->add_option("--steps", a->distill.step.steps, "Timed steps after one warm-up step (default 3)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--checkpoint-activations", a->distill.step.checkpointActivations,
                "Recompute each layer in backward");
  cmd->add_option("--lora", a->distill.step.loraRank, "Train rank-R LoRA adapters instead of every weight")
      ->check(CLI::Range(int64_t(1), int64_t(4096)));
  cmd->add_option("--objective", a->objective,
                  "ce (next-token cross-entropy, default) or r1 (Pos2Distill's KL step, METHOD.md 2b)")
      ->check(CLI::IsMember({"ce", "r1"}));
  cmd->add_option("--response-tokens", a->distill.responseTokens,
                  "r1: response tokens R of each row's --tokens (default 32)")
      ->check(CLI::Range(1, 1 << 16));
  cmd->add_option("--teacher", a->distill.teacher, "r1: cache (default) or live (a frozen copy)")
      ->check(CLI::IsMember({"cache", "live"}));
  cmd->add_option("--python-reference", a->pythonScript,
                  "tests/reference/bench_train_reference.py: the same step in eager PyTorch");
  cmd->add_option("--python", a->python, "Interpreter with torch for --python-reference");
  cmd->callback([a] {
    if (!a->pythonScript.empty() && (a->distill.step.loraRank > 0 || a->distill.step.checkpointActivations))
      fail(a->pythonScript, "--python-reference", "the reference trains every weight without recomputation");
    LoadOptions load;
    load.threads = a->threads;
    auto engine = Engine::open(a->model, load); // f32 weights: the trainer makes its own bf16 copies
    const int threads = configureThreads(a->threads);
    const MatmulPeak peak = Benchmark::matmulPeak(a->distill.step.dtype, 2048, 5);
    const CpuSeconds before = ProcessCpu::now();
    const bool r1 = a->objective == "r1";
    DistillStepResult d;
    if (r1)
      d = DistillStepBenchmark::run(*engine, a->distill);
    else
      d.step = TrainStepBenchmark::run(*engine, a->distill.step);
    const TrainStepResult& r = d.step;
    nlohmann::json out = {
        {"model", {{"path", engine->info().path}, {"parameters", engine->info().parameters}}},
        {"allocator", ProcessCpu::allocator()},
        {"blas", BlasKernels::describe()},
        {"threads", threads},
        {"dtype", a->distill.step.dtype},
        {"batch", a->distill.step.batch},
        {"tokens", a->distill.step.tokens},
        {"checkpoint_activations", a->distill.step.checkpointActivations},
        {"lora", a->distill.step.loraRank},
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
    out["objective"] = a->objective;
    if (r1)
      out["r1"] = {{"response_tokens", a->distill.responseTokens},
                   {"teacher", a->distill.teacher},
                   {"teacher_fill_seconds", d.teacherFillSeconds},
                   {"teacher_cache_bytes", d.teacherCacheBytes}};
    if (!a->pythonScript.empty()) {
      const nlohmann::json ref = runPythonJson(
          a->python, a->pythonScript,
          "--model '" + engine->info().path + "' --batch " + std::to_string(a->distill.step.batch) +
              " --tokens " + std::to_string(a->distill.step.tokens) + " --threads " +
              std::to_string(threads) + " --dtype " + a->distill.step.dtype + " --steps " +
              std::to_string(a->distill.step.steps) +
              (r1 ? " --objective r1 --response-tokens " + std::to_string(a->distill.responseTokens) +
                        " --teacher " + a->distill.teacher
                  : std::string()),
          threads);
      out["python_reference"] = ref;
      if (ref.contains("tokens_per_s") && ref["tokens_per_s"].is_number())
        out["speedup_vs_python"] = r.tokensPerSecond / ref["tokens_per_s"].get<double>();
    }
    printJson(out);
  });
}

} // namespace poslab::cli
