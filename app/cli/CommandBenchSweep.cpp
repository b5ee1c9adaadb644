// poslab-cli bench sweep --model MODEL --data FILE [--docs K | --random-distractors K] [--limit N]
//                        [--max-new-tokens N] [--batch N] [--dtype f32|bf16] [--threads N]
// The same sweep twice in one process — the naive path (--no-prefix-cache,
// one prompt at a time) and the fast one (verified prefix KV reuse, --batch N)
// — and the ratios between them (issue "sweeps", Speed): prefill tokens
// computed, wall time, tokens/s, and the fraction of the matmul peak measured
// in the same process. It also counts the records whose greedy prediction
// differs between the paths: none in f32 (the equivalence test); in bf16 the
// reused prefix and the batched passes run other matrix shapes, and bf16
// rounding can flip a near-tie argmax of a random-weight model.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/bench/Benchmark.h"
#include "core/engine/Engine.h"
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/SweepRunner.h"
#include "core/util/BlasKernels.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace poslab::cli {

namespace {

struct Pass {
  SweepResult result;
  std::vector<SweepRecord> records;
  nlohmann::json cpu;
};

Pass runPass(const Engine& engine, SweepSettings s, bool reuse, size_t batch, const std::string& dir) {
  s.prefixCache = reuse;
  s.batch = batch;
  std::filesystem::remove_all(dir);
  Pass p;
  const CpuSeconds before = ProcessCpu::now();
  p.result = SweepRunner(engine).run(s, dir);
  p.cpu = cpuJson(before);
  p.records = ExamplesLog::read(dir + "/examples.jsonl");
  return p;
}

} // namespace

void addBenchSweepCommand(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("sweep", "A position sweep with and without prefix KV reuse, as ratios");
  auto s = std::make_shared<SweepSettings>();
  auto peakSize = std::make_shared<int64_t>(2048);
  s->limit = 2;
  s->maxNewTokens = 8;
  cmd->add_option("--model", s->modelPath, "Hugging Face folder or .gguf file (needs a tokenizer)")
      ->required();
  cmd->add_option("--adapter", s->adapterPath, "A PEFT LoRA adapter folder to apply on top of --model");
  cmd->add_flag("--merge-adapter", s->mergeAdapter, "Merge the adapter into the weights");
  cmd->add_option("--data", s->dataPath, "Dataset the sweep reads")->required();
  cmd->add_option("--docs", s->docs, "Documents per prompt");
  cmd->add_option("--random-distractors", s->randomDistractors, "Oracle files: K documents per question");
  cmd->add_option("--limit", s->limit, "Examples (default 2)");
  cmd->add_option("--max-new-tokens", s->maxNewTokens, "Generated tokens per record at most (default 8)");
  cmd->add_option("--batch", s->batch, "Batch of the fast path (default 4; the naive path runs 1)")
      ->check(CLI::Range(size_t(1), size_t(4096)));
  cmd->add_option("--chat-template", s->chatTemplate, "auto, none or a family");
  cmd->add_option("--dtype", s->dtype, "f32 or bf16");
  cmd->add_option("--threads", s->threads, "Intra-op threads (0 = all cores)");
  cmd->add_option("--peak-size", *peakSize, "n of the n x n x n peak matmul")->check(CLI::Range(64, 16384));
  cmd->callback([=] {
    const LoadOptions load = sweepLoadOptions(*s);
    auto engine = Engine::open(s->modelPath, load);
    const std::string tmp =
        (std::filesystem::temp_directory_path() / ("poslab-bench-sweep-" + std::to_string(::getpid())))
            .string();
    const Pass naive = runPass(*engine, *s, false, 1, tmp + "/naive");
    const Pass reuse = runPass(*engine, *s, true, s->batch, tmp + "/reuse");
    std::filesystem::remove_all(tmp);

    std::map<std::string, std::string> predicted;
    for (const auto& r : naive.records)
      predicted[r.key()] = r.prediction;
    size_t disagree = 0;
    for (const auto& r : reuse.records)
      disagree += predicted[r.key()] != r.prediction;

    const ModelInfo& info = engine->info();
    const MatmulPeak peak = Benchmark::matmulPeak(info.computeDtype, *peakSize, 3);
    // Matmul FLOPs of the tokens computed: 2 per weight per token (the embedding
    // lookup is no matmul; attention's own FLOPs are left out, so this is a lower bound).
    const double perToken = 2.0 * static_cast<double>(info.parameters - info.vocabSize * info.hiddenSize);
    auto passJson = [&](const Pass& p) {
      const SweepSummary& m = p.result.summary;
      const double tokens = static_cast<double>(m.prefillTokens + m.decodeTokens);
      const double gflops = perToken * tokens / p.result.wallSeconds / 1e9;
      return nlohmann::json{{"records", m.records},
                            {"prompt_tokens", m.promptTokens},
                            {"prefill_tokens", m.prefillTokens},
                            {"decode_tokens", m.decodeTokens},
                            {"wall_s", p.result.wallSeconds},
                            {"tokens_per_s", tokens / p.result.wallSeconds},
                            {"matmul_gflops", gflops},
                            {"fraction_of_peak", gflops / peak.gflops},
                            {"cpu", p.cpu}};
    };
    const auto& n = naive.result.summary;
    const auto& r = reuse.result.summary;
    printJson(
        {{"model", info.path},
         {"allocator", ProcessCpu::allocator()},
         {"blas", BlasKernels::describe()},
         {"dtype", info.computeDtype},
         {"threads", peak.threads},
         {"batch", s->batch},
         {"mean_prompt_tokens", static_cast<double>(n.promptTokens) / static_cast<double>(n.records)},
         {"positions", n.positions.size()},
         {"matmul_peak_gflops", peak.gflops},
         {"naive", passJson(naive)},
         {"reuse", passJson(reuse)},
         {"prefill_token_ratio", static_cast<double>(n.prefillTokens) / static_cast<double>(r.prefillTokens)},
         {"wall_ratio", naive.result.wallSeconds / reuse.result.wallSeconds},
         {"records_compared", reuse.records.size()},
         {"predictions_differing", disagree}});
  });
}

} // namespace poslab::cli
