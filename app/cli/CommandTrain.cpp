// poslab-cli train (--model MODEL | --init CONFIG.json --tokenizer DIR) --data FILE --out RUN_DIR
//                  [--steps N] [--lr X] [--batch B] [--accum A] [--warmup W] [--seed S] [--dtype f32|bf16]
//                  [--loss answer|all] [--docs K] [--position-weights w0,w1,...] [--checkpoint-every N]
//                  [--keep-checkpoints N] [--no-shuffle] [--limit N] [--device D] [--threads T] [--json]
// poslab-cli train --out RUN_DIR --resume [--steps N] [--threads T] [--device D] [--json]
// Next-token training on the answers of retrieval prompts (core/train). Ctrl-C
// (or SIGTERM from a cluster scheduler) stops after the current step and writes
// a checkpoint; --resume continues from it. The trained model: RUN_DIR/model.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "app/cli/ProgressBar.h"
#include "core/train/PromptSequenceBuilder.h"
#include "core/train/TrainingJob.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace poslab::cli {

namespace {

std::string progressDetail(const TrainingProgress& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "loss %.4f  lr %.2e  |g| %.3g  %.0f tok/s", p.loss, p.lr, p.gradNorm,
                p.tokensPerSecond);
  return buf;
}

} // namespace

void addTrainCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train or fine-tune a model on the answers of a dataset's prompts");
  struct Args {
    TrainingJobSpec spec;
    std::string out, weights, device = "cpu";
    int64_t steps = 0;
    int threads = 0;
    bool resume = false, json = false;
  };
  auto a = std::make_shared<Args>();
  TrainingSettings& s = a->spec.settings;
  auto* model = cmd->add_option("--model", a->spec.model, "Model to fine-tune: Hugging Face folder or .gguf");
  auto* init = cmd->add_option("--init", a->spec.init, "config.json of a new model with random weights");
  auto* tokenizer = cmd->add_option("--tokenizer", a->spec.tokenizer, "Tokenizer folder for --init");
  auto* data =
      cmd->add_option("--data", a->spec.data, "Dataset (.jsonl / .jsonl.gz, any format sweeps read)");
  cmd->add_option("--out", a->out, "Run folder (run.json, events.jsonl, checkpoints/, model/)")->required();
  cmd->add_flag("--resume", a->resume, "Continue the run in --out from its latest checkpoint");
  auto* steps = cmd->add_option("--steps", a->steps, "Optimizer steps in total (default 100)");
  // Options that define the run; --resume takes them from run.json instead.
  std::vector<CLI::Option*> defining = {model, init, tokenizer, data};
  defining.push_back(cmd->add_option("--lr", s.lr, "Peak learning rate (default 3e-4)"));
  defining.push_back(cmd->add_option("--batch", s.batchSize, "Sequences per micro-batch (default 8)"));
  defining.push_back(
      cmd->add_option("--accum", s.gradAccumulation, "Micro-batches per optimizer step (default 1)"));
  defining.push_back(cmd->add_option("--warmup", s.warmupSteps, "Linear warm-up steps (default 0)"));
  defining.push_back(
      cmd->add_option("--seed", s.seed, "Seed of data order, gold positions and --init weights"));
  defining.push_back(cmd->add_option("--dtype", s.dtype, "f32, or bf16 (fp32 master weights)"));
  defining.push_back(
      cmd->add_option("--loss", s.lossOn, "answer (answer + EOS tokens) or all (every token)"));
  defining.push_back(
      cmd->add_option("--weight-decay", s.weightDecay, "AdamW decoupled weight decay (default 0.01)"));
  defining.push_back(
      cmd->add_option("--clip", s.clipNorm, "Global gradient-norm bound (default 1; 0 = off)"));
  defining.push_back(
      cmd->add_option("--docs", a->spec.docs, "Documents (KV pairs) per prompt (default: all)"));
  defining.push_back(
      cmd->add_option("--position-weights", a->weights,
                      "Relative frequency of each gold position, e.g. 4,1,1,1,4 (default uniform)"));
  defining.push_back(cmd->add_option("--limit", a->spec.limit, "Use the first N examples only"));
  defining.push_back(
      cmd->add_option("--checkpoint-every", s.checkpointEvery, "Steps between checkpoints (0 = end only)"));
  defining.push_back(
      cmd->add_option("--keep-checkpoints", s.keepCheckpoints, "Newest checkpoints kept (default 2)"));
  defining.push_back(
      cmd->add_option("--log-every", s.logEvery, "Steps between events.jsonl step lines (default 1)"));
  defining.push_back(cmd->add_flag("--no-shuffle{false}", s.shuffle,
                                   "Visit the training prompts in file order every epoch (a curriculum)"));
  cmd->add_option("--device", a->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--json", a->json, "Print one JSON document with the outcome on stdout");

  cmd->callback([=] {
    TrainingJobRuntime rt;
    rt.device = a->device;
    rt.threads = a->threads;
    rt.software = std::string("poslab-cli ") + POSLAB_VERSION;
    rt.log = [](const std::string& line) { std::cerr << line << '\n'; };
    auto bar = std::make_shared<ProgressBar>(std::cerr);
    rt.progress = [bar](const TrainingProgress& p) {
      bar->update(p.step, p.totalSteps, p.etaSeconds, progressDetail(p));
    };
    rt.cancel = &stopFlagOnSignals();

    TrainingOutcome out;
    if (a->resume) {
      for (CLI::Option* o : defining)
        if (o->count())
          fail("", o->get_name(), "cannot be changed on --resume (the run's settings are in run.json)");
      out = TrainingJob::resume(a->out, steps->count() ? std::optional<int64_t>(a->steps) : std::nullopt, rt);
    } else {
      if (data->count() == 0) fail("", "--data", "required (or --resume)");
      if (steps->count()) a->spec.settings.totalSteps = a->steps;
      if (!a->weights.empty())
        a->spec.positionWeights = PromptSequenceBuilder::parseWeights(a->weights, "--position-weights");
      out = TrainingJob::start(a->spec, a->out, rt);
    }
    bar->finish();
    const std::string status = out.cancelled ? "cancelled" : "finished";
    const double finalLoss = out.losses.empty() ? 0.0 : out.losses.back();
    if (a->json) {
      nlohmann::json j = {
          {"status", status}, {"step", out.step}, {"run", a->out}, {"checkpoint", out.checkpoint}};
      if (!out.losses.empty()) j["final_loss"] = finalLoss;
      if (!out.cancelled) j["model"] = a->out + "/model";
      printJson(j);
    } else {
      std::cerr << status << " at step " << out.step << " (loss " << finalLoss << "); checkpoint "
                << out.checkpoint << '\n';
      if (!out.cancelled) std::cerr << "model: " << a->out << "/model\n";
    }
  });
}

} // namespace poslab::cli
