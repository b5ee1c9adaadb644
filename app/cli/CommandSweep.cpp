// poslab-cli sweep --model MODEL --data FILE [--task qa|kv] [--docs K] [--positions all|0,4,9]
//                  [--limit N] [--no-prefix-cache] [--batch N] --out DIR
// The position sweep of METHOD.md §1 (DESIGN.md "Command line"): writes
// DIR/examples.jsonl as records finish, then DIR/summary.json and summary.csv.
// Running it again on the same DIR resumes; a progress bar goes to stderr.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "app/cli/ProgressBar.h"
#include "core/engine/Engine.h"
#include "core/sweep/SweepRunner.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace poslab::cli {

namespace {

// "records [n resumed]  elapsed m:ss  t tok/s" after the bar.
std::string progressDetail(const SweepProgress& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "records%s  elapsed %s  %.0f tok/s",
                p.resumed ? (" [" + std::to_string(p.resumed) + " resumed]").c_str() : "",
                ProgressBar::formatDuration(p.elapsedSeconds).c_str(), p.tokensPerSecond);
  return buf;
}

} // namespace

void addSweepCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "Accuracy and answer log-probability at every gold position");
  auto s = std::make_shared<SweepSettings>();
  auto positions = std::make_shared<std::string>("all");
  auto out = std::make_shared<std::string>();
  auto noPrefix = std::make_shared<bool>(false);
  auto baselines = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto shuffle = std::make_shared<int64_t>(-1);
  cmd->add_option("--model", s->modelPath, "Hugging Face folder, .gguf file or PEFT adapter folder")
      ->required();
  cmd->add_option("--adapter", s->adapterPath, "A PEFT LoRA adapter folder to apply on top of --model");
  cmd->add_flag("--merge-adapter", s->mergeAdapter,
                "Merge the adapter into the weights (W + s*B*A) instead of applying it unmerged");
  cmd->add_option("--data", s->dataPath, "Dataset: lost-in-the-middle QA/KV or PosLab JSONL (.jsonl[.gz])")
      ->required();
  cmd->add_option("--out", *out, "Run folder: examples.jsonl, summary.json, summary.csv, run.json")
      ->required();
  cmd->add_option("--task", s->task, "qa, kv, two-hop or auto (from the data / the model's poslab_task.json)")
      ->check(CLI::IsMember({"auto", "qa", "kv", "two-hop"}));
  cmd->add_option("--format", s->dataFormat, "Data format: auto, litm-qa, litm-kv, poslab, musique");
  cmd->add_option("--docs", s->docs, "Documents (or KV pairs) per prompt, gold included (default: all)");
  cmd->add_option("--positions", *positions, "Gold positions, 0-based: all or a list like 0,4,9");
  cmd->add_option("--limit", s->limit, "Only the first N examples");
  cmd->add_option("--shuffle-seed", *shuffle,
                  "Shuffle the kept distractors with this seed (default: keep order)");
  cmd->add_option("--random-distractors", s->randomDistractors,
                  "Oracle files: K documents per question, K-1 drawn from other questions' gold passages");
  cmd->add_option("--distractor-seed", s->distractorSeed, "Seed of --random-distractors (default 0)");
  cmd->add_option("--prompt-template", s->promptTemplate, templateNames() + ", or a template file");
  cmd->add_option("--chat-template", s->chatTemplate,
                  "auto, none, or a family: llama2, llama3, mistral, chatml, phi3");
  cmd->add_option("--system", s->system, "System message inside the chat template");
  cmd->add_option("--max-new-tokens", s->maxNewTokens, "Most generated tokens per record (default 100)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_flag("--closed-book", s->closedBook, "Also run the closed-book baseline (QA)");
  cmd->add_flag("--oracle", s->oracle, "Also run the oracle baseline: the gold document alone (QA)");
  cmd->add_flag("--baselines", *baselines, "Both baselines");
  cmd->add_flag("--no-prefix-cache", *noPrefix,
                "Recompute every prompt from its first token (the naive path)");
  cmd->add_option("--batch", s->batch,
                  "Prompts scored and decoded together after their prefill (default 4; each row holds a "
                  "copy of its prompt's KV states; 1 = one at a time)")
      ->check(CLI::Range(size_t(1), size_t(4096)));
  cmd->add_flag("--skip-bad", s->skipBad, "Skip malformed data records (counted in the summary)");
  cmd->add_option("--dtype", s->dtype, "f32, bf16 or f16 (CUDA)");
  cmd->add_option("--device", s->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", s->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--quiet", *quiet, "No progress line");
  cmd->add_flag("--json", *json, "Print summary.json on stdout at the end");
  cmd->callback([=] {
    SweepSettings settings = *s;
    settings.positions =
        *positions == "all" ? std::vector<size_t>() : parsePositions(*positions, "--positions");
    if (*shuffle >= 0) settings.shuffleSeed = static_cast<uint64_t>(*shuffle);
    settings.prefixCache = !*noPrefix;
    if (*baselines) settings.closedBook = settings.oracle = true;
    const LoadOptions load = sweepLoadOptions(settings);
    auto engine = Engine::open(settings.modelPath, load);
    ProgressBar bar(std::cerr);
    SweepCallbacks callbacks;
    if (!*quiet)
      callbacks.onProgress = [&](const SweepProgress& p) {
        // The ETA is unknown ("?") until a record of this run finished.
        bar.update(static_cast<int64_t>(p.done), static_cast<int64_t>(p.total),
                   p.etaSeconds > 0 || p.done == p.total ? p.etaSeconds : -1.0, progressDetail(p));
      };
    const SweepResult r = SweepRunner(*engine).run(settings, *out, callbacks);
    bar.finish();
    if (r.tornTailRemoved)
      std::cerr << "sweep: removed a half-written last line of examples.jsonl (a killed run)\n";
    if (*json) {
      printJson(JsonFile::read(*out + "/summary.json"));
      return;
    }
    std::printf("position  n     accuracy  95%% CI           mean log p(answer)\n");
    auto row = [](const std::string& name, const PositionSummary& p) {
      std::printf("%-9s %-5zu %7.1f%%  [%5.1f%%, %5.1f%%]  %s\n", name.c_str(), p.n, 100 * p.accuracy,
                  100 * p.ciLow, 100 * p.ciHigh,
                  p.meanAnswerLogprob ? std::to_string(*p.meanAnswerLogprob).c_str() : "-");
    };
    for (const auto& p : r.summary.positions)
      row(std::to_string(p.position + 1), p);
    if (r.summary.closedBook) row("closed", *r.summary.closedBook);
    if (r.summary.oracle) row("oracle", *r.summary.oracle);
    std::printf("(positions 1-based here; 0-based in summary.json)  %zu records, %zu this run, %.1f s; "
                "prefill %lld of %lld prompt tokens computed\n",
                r.summary.records, r.computed, r.wallSeconds, static_cast<long long>(r.summary.prefillTokens),
                static_cast<long long>(r.summary.promptTokens));
  });
}

} // namespace poslab::cli
