// poslab-cli make-demo --out DIR [--task qa|two-hop] [--seed N] [--threads N] [--probe N] [--resume]
// Builds the bundled demo (core/demo/DemoBuilder.h): synthetic task, tokenizer and
// a tiny Llama that loses the middle, all from this code and the seed. Ctrl-C
// stops after the current training step with a checkpoint; --resume continues.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/demo/DemoBuilder.h"
#include "core/engine/Engine.h"
#include "core/util/BlasKernels.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

namespace poslab::cli {

void addMakeDemoCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "make-demo", "Build the demo: a synthetic retrieval task and a tiny Llama trained to lose the middle");
  struct Args {
    std::string out;
    uint64_t seed = DemoRecipe{}.seed;
    int threads = 1; // the demo's 128-wide matmuls run faster on one core than on two (BENCHMARKS.md)
    size_t probe = 100;
    std::string task = "qa";
    bool resume = false;
    bool nativeKernels = false;
    DemoRecipe recipe;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--out", a->out, "New output folder (train.jsonl.gz, heldout.jsonl.gz, poslab-demo-llama/)")
      ->required();
  cmd->add_option("--task", a->task,
                  "qa: the bundled demo (R1); two-hop: a demo that reasons over two hops with a chain of "
                  "thought, well only when both are at the end of its context (R2)")
      ->capture_default_str()
      ->check(CLI::IsMember({"qa", "two-hop"}));
  cmd->add_option("--seed", a->seed, "Seed for data, tokenizer, initialisation and batches")
      ->capture_default_str();
  cmd->add_option("--threads", a->threads,
                  "CPU threads (the same seed gives the same weights for the same count)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--probe", a->probe, "Held-out examples probed at every gold slot afterwards (0: none)")
      ->capture_default_str();
  // Smaller budgets for tests and experiments; the bundled demo uses the defaults.
  auto* budget = "Budget (tests, experiments; the bundled demo uses the defaults)";
  cmd->add_flag("--native-kernels", a->nativeKernels,
                "Use the BLAS kernels OpenBLAS picks for this CPU instead of its AVX2 (Haswell) ones: "
                "faster on AVX-512, but the weights then differ from the committed demo's");
  cmd->add_flag("--resume", a->resume,
                "Continue a stopped build in --out (same seed and budget) from its checkpoints");
  cmd->add_option("--layers", a->recipe.layers, "Transformer layers")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{64}))
      ->group(budget);
  cmd->add_option("--hidden-size", a->recipe.hiddenSize, "Model width (the MLP is 8/3 of it, rounded to 8)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{16}, int64_t{4096}))
      ->group(budget);
  cmd->add_option("--induction-steps", a->recipe.inductionSteps, "Stage 1 steps (copy task)")
      ->capture_default_str()
      ->group(budget);
  cmd->add_option("--short-steps", a->recipe.shortSteps, "Stage 2 steps (2-6 records, gold anywhere)")
      ->capture_default_str()
      ->group(budget);
  cmd->add_option("--long-steps", a->recipe.longSteps, "Stage 3 steps (all records, skewed gold)")
      ->capture_default_str()
      ->group(budget);
  cmd->add_option("--position-floor", a->recipe.positionFloor,
                  "Stage 3: the weight every gold slot gets beyond the edges' (how often the middle is seen)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0))
      ->group(budget);
  cmd->add_option("--train-examples", a->recipe.trainExamples, "Training examples")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->group(budget);
  cmd->add_option("--heldout-examples", a->recipe.heldoutExamples, "Held-out examples")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}))
      ->group(budget);
  cmd->callback([a] {
    namespace fs = std::filesystem;
    // The weights depend on the BLAS kernels' rounding (core/util/BlasKernels.h):
    // the AVX2 kernels, which every x86-64 CPU since 2013 runs, rebuild the
    // committed demos exactly. This re-runs the command once with them pinned.
    std::string why = "--native-kernels";
    if (!a->nativeKernels) BlasKernels::pinByRerun("Haswell", &why);
    std::cerr << "OpenBLAS kernels: " << BlasKernels::current() << " (" << why << ")" << std::endl;
    if (!a->resume && fs::exists(a->out) && !fs::is_empty(a->out))
      fail(a->out, "--out", "exists and is not empty; choose a new folder (or --resume a stopped build)");
    if (a->resume && !fs::exists(fs::path(a->out) / "training"))
      fail(a->out, "--resume", "no stopped build here (no training/ folder)");
    configureThreads(a->threads); // OpenBLAS too: the recipe is reproducible per thread count
    DemoRecipe recipe = a->recipe;
    recipe.seed = a->seed;
    recipe.task = a->task == "two-hop" ? TaskKind::TwoHop : TaskKind::Qa;
    if (recipe.hiddenSize != DemoRecipe{}.hiddenSize) // Llama's ratio, as the default's 344 for 128
      recipe.intermediateSize = (recipe.hiddenSize * 8 / 3 + 7) / 8 * 8;
    if (recipe.totalSteps() == 0)
      fail("", "--induction-steps/--short-steps/--long-steps", "at least one training step is needed");
    const DemoBuildResult res = DemoBuilder(recipe).build(
        a->out, [](const std::string& line) { std::cerr << line << std::endl; }, a->probe,
        &stopFlagOnSignals());
    if (res.cancelled) {
      throw CLI::RuntimeError(
          "make-demo: stopped with a checkpoint; continue with: poslab-cli make-demo --out " + a->out +
              " --resume (same --seed, --threads and budget)",
          130);
    }
    if (!res.probeAccuracy.empty()) {
      std::cerr << "probe (" << res.probeExamples << " held-out examples, exact greedy answer):\n";
      for (size_t s = 0; s < res.probeAccuracy.size(); ++s) {
        char line[64];
        std::snprintf(line, sizeof line, "  %s %2zu  %5.1f %%\n",
                      recipe.task == TaskKind::TwoHop ? "place" : "slot", s + 1,
                      100.0 * res.probeAccuracy[s]);
        std::cerr << line;
      }
    }
    char summary[128];
    std::snprintf(summary, sizeof summary, "built in %.0f s (training %.0f s, final loss %.4f)\n",
                  res.totalSeconds, res.trainSeconds, res.finalLoss);
    std::cerr << summary << "wrote " << res.modelDir << '\n';
  });
}

} // namespace poslab::cli
