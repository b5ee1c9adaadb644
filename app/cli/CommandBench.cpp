// poslab-cli bench peak  [--threads 1,2] [--size N]
// poslab-cli bench tokenizer TOKENIZER... [--bytes 1000000]
// poslab-cli bench model MODEL [--dtype f32|bf16] [--threads 1,2] [--tokens 512] [--batch 1]
//                        [--decode 32] [--repeats 3] [--python-reference SCRIPT]
// Prints JSON. Every throughput sits beside the matmul peak measured in the same
// process (fraction_of_peak) and, with --python-reference, beside the eager
// PyTorch reference run by the same command on the same model (speedup).
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/bench/Benchmark.h"
#include "core/engine/Engine.h"
#include "core/engine/TokenizerLoader.h"
#include "core/util/BlasKernels.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <thread>

namespace poslab::cli {

namespace {

std::vector<int> parseThreads(const std::string& text) {
  std::vector<int> out;
  for (int32_t t : parseIds(text)) {
    if (t <= 0 || t > 1024) fail("", "--threads", "each count must be 1..1024");
    out.push_back(t);
  }
  return out;
}

nlohmann::json peakJson(const MatmulPeak& p) {
  return {{"dtype", p.dtype}, {"size", p.size}, {"threads", p.threads}, {"gflops", p.gflops}};
}

nlohmann::json runPythonReference(const std::string& python, const std::string& script,
                                  const std::string& model, int64_t tokens, int threads,
                                  const std::string& dtype, int repeats) {
  return runPythonJson(python, script,
                       "--model '" + model + "' --tokens " + std::to_string(tokens) + " --threads " +
                           std::to_string(threads) + " --dtype " + dtype + " --repeats " +
                           std::to_string(repeats),
                       threads);
}

void addPeak(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("peak", "Measure this machine's fp32 and bf16 matmul GFLOP/s");
  auto threads =
      std::make_shared<std::string>("1," + std::to_string(std::max(1u, std::thread::hardware_concurrency())));
  auto size = std::make_shared<int64_t>(2048);
  cmd->add_option("--threads", *threads, "Thread counts to measure, e.g. 1,2");
  cmd->add_option("--size", *size, "Matrix size n (n x n x n)")->check(CLI::Range(64, 16384));
  cmd->callback([=] {
    nlohmann::json rows = nlohmann::json::array();
    for (int t : parseThreads(*threads)) {
      configureThreads(t);
      for (const char* dt : {"f32", "bf16"})
        rows.push_back(peakJson(Benchmark::matmulPeak(dt, *size, 5)));
    }
    printJson(
        {{"allocator", ProcessCpu::allocator()}, {"blas", BlasKernels::describe()}, {"matmul_peak", rows}});
  });
}

void addModel(CLI::App& bench) {
  auto* cmd = bench.add_subcommand("model", "Prefill and decode throughput of a model");
  struct Args {
    std::string model, dtype = "bf16", threads = "1,2", pythonScript, python = "python3";
    int64_t tokens = 512, batch = 1, decode = 32;
    int repeats = 3;
  };
  auto a = std::make_shared<Args>();
  a->threads = "1," + std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder, .gguf file or PEFT adapter folder")->required();
  addAdapterOptions(cmd, *adapter);
  cmd->add_option("--dtype", a->dtype, "f32 or bf16");
  cmd->add_option("--threads", a->threads, "Thread counts to measure, e.g. 1,2");
  cmd->add_option("--tokens", a->tokens, "Prefill length per sequence")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--batch", a->batch, "Sequences per prefill")->check(CLI::Range(1, 4096));
  cmd->add_option("--decode", a->decode, "Tokens to decode after a prefill of --tokens (0: skip)")
      ->check(CLI::Range(0, 1 << 16));
  cmd->add_option("--repeats", a->repeats, "Best of this many runs")->check(CLI::Range(1, 100));
  cmd->add_option("--python-reference", a->pythonScript,
                  "tests/reference/bench_reference.py: run it beside ours");
  cmd->add_option("--python", a->python, "Interpreter with torch for --python-reference");
  cmd->callback([a, adapter] {
    if (!adapter->dir.empty() && !a->pythonScript.empty())
      fail(adapter->dir, "--adapter",
           "the Python reference runs the base model only; drop --python-reference");
    auto engine = Engine::open(a->model, adapter->options("cpu", a->dtype, 0));
    nlohmann::json runs = nlohmann::json::array();
    for (int t : parseThreads(a->threads)) {
      configureThreads(t);
      MatmulPeak peak = Benchmark::matmulPeak(a->dtype, 2048, 5);
      const CpuSeconds before = ProcessCpu::now();
      PrefillResult p = Benchmark::prefill(*engine, a->batch, a->tokens, a->repeats);
      nlohmann::json run = {{"threads", t},
                            {"dtype", a->dtype},
                            {"matmul_peak_gflops", peak.gflops},
                            {"prefill",
                             {{"batch", p.batch},
                              {"tokens", p.tokens},
                              {"seconds", p.seconds},
                              {"tokens_per_s", p.tokensPerSecond},
                              {"gflops", p.gflops},
                              {"fraction_of_peak", p.gflops / peak.gflops}}},
                            {"prefill_cpu", cpuJson(before)}};
      if (a->decode > 0) {
        const CpuSeconds decodeStart = ProcessCpu::now();
        DecodeResult d = Benchmark::decode(*engine, a->tokens, a->decode);
        run["decode"] = {{"context_tokens", d.contextTokens},
                         {"new_tokens", d.newTokens},
                         {"seconds", d.seconds},
                         {"tokens_per_s", d.tokensPerSecond},
                         {"cpu", cpuJson(decodeStart)}};
      }
      if (!a->pythonScript.empty()) {
        nlohmann::json ref =
            runPythonReference(a->python, a->pythonScript, a->model, a->tokens, t, a->dtype, a->repeats);
        run["python_reference"] = ref;
        if (ref.contains("tokens_per_s") && ref["tokens_per_s"].is_number())
          run["speedup_vs_python"] = p.tokensPerSecond / ref["tokens_per_s"].get<double>();
      }
      runs.push_back(run);
    }
    const ModelInfo& i = engine->info();
    printJson({{"model", {{"path", i.path}, {"parameters", i.parameters}, {"layers", i.layers}}},
               {"allocator", ProcessCpu::allocator()},
               {"blas", BlasKernels::describe()},
               {"runs", runs}});
  });
}

void addTokenizer(CLI::App& bench) {
  auto* cmd =
      bench.add_subcommand("tokenizer", "Tokenizer throughput on mixed text (prose, code, CJK, emoji)");
  auto paths = std::make_shared<std::vector<std::string>>();
  auto bytes = std::make_shared<int64_t>(1000000);
  auto repeats = std::make_shared<int>(3);
  cmd->add_option("TOKENIZER", *paths, "Model folders, .gguf files or tokenizer folders")->required();
  cmd->add_option("--bytes", *bytes, "Input size")->check(CLI::Range(1, 1 << 30));
  cmd->add_option("--repeats", *repeats, "Best of this many runs")->check(CLI::Range(1, 100));
  cmd->callback([=] {
    const std::string text = Benchmark::mixedText(*bytes);
    nlohmann::json rows = nlohmann::json::array();
    for (const std::string& path : *paths) {
      auto tok = TokenizerLoader::load(path);
      if (!tok) fail(path, "tokenizer", "none found (looked for " + TokenizerLoader::searchedFiles() + ")");
      TokenizerResult r = Benchmark::tokenize(*tok, text, *repeats);
      rows.push_back({{"tokenizer", path},
                      {"kind", r.kind},
                      {"bytes", r.bytes},
                      {"tokens", r.tokens},
                      {"seconds", r.seconds},
                      {"mb_per_s", r.megabytesPerSecond},
                      {"cold_seconds", r.coldSeconds},
                      {"cold_mb_per_s", r.coldMegabytesPerSecond}});
    }
    printJson({{"tokenizers", rows}});
  });
}

} // namespace

void addBenchCommand(CLI::App& app) {
  auto* bench = app.add_subcommand("bench", "Throughput benchmarks, as fractions of measured peak");
  bench->require_subcommand(1);
  addPeak(*bench);
  addModel(*bench);
  addTokenizer(*bench);
  addBenchSweepCommand(*bench);
  addBenchTrainCommand(*bench);
}

} // namespace poslab::cli
