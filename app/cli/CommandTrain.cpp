// poslab-cli train (--model MODEL | --init CONFIG.json --tokenizer DIR) --data FILE --out RUN_DIR
//                  [--steps N] [--lr X] [--batch B] [--micro-batch M] [--warmup W] [--seed S]
//                  [--dtype f32|bf16] [--loss answer|all] [--position-weights w0,w1,...]
//                  [--docs K] [--prompt-template T] [--chat-template C] [--random-distractors K] ...
//                  [--checkpoint-every N] [--keep-checkpoints N] [--no-shuffle] [--limit N]
//                  [--device D] [--threads T] [--json]
// poslab-cli train --out RUN_DIR --resume [--steps N] [--threads T] [--device D] [--json]
// Next-token training on the answers of retrieval prompts (core/train). Ctrl-C
// (or SIGTERM from a cluster scheduler) stops after the current step and writes
// a checkpoint; --resume continues from it. The trained model: RUN_DIR/model.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "app/cli/ProgressBar.h"
#include "app/cli/TrainingOptions.h"
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
    std::string weights;
    std::unique_ptr<TrainingOptions> options;
  };
  auto a = std::make_shared<Args>();
  TrainingSettings& s = a->spec.settings;
  a->options = std::make_unique<TrainingOptions>(cmd, s);
  TrainingOptions& opts = *a->options;
  auto* data =
      cmd->add_option("--data", a->spec.data, "Dataset (.jsonl / .jsonl.gz, any format sweeps read)");
  opts.defining(data);
  opts.defining(cmd->add_option("--model", a->spec.model,
                                "Model to fine-tune: Hugging Face folder, .gguf or PEFT adapter folder"));
  opts.defining(cmd->add_option("--adapter", a->spec.adapter,
                                "A PEFT LoRA adapter merged into --model first: base + adapter is trained"));
  opts.defining(cmd->add_option("--init", a->spec.init, "config.json of a new model with random weights"));
  opts.defining(cmd->add_option("--tokenizer", a->spec.tokenizer, "Tokenizer folder for --init"));
  opts.defining(cmd->add_option("--loss", s.lossOn, "answer (answer + EOS tokens) or all (every token)"));
  opts.defining(
      cmd->add_option("--position-weights", a->weights,
                      "Relative frequency of each gold position, e.g. 4,1,1,1,4 (default uniform)"));

  cmd->callback([=] {
    const TrainingOptions& o = *a->options;
    const TrainingJobRuntime rt = o.runtime(progressDetail);

    TrainingOutcome out;
    if (o.resume) {
      o.refuseDefiningOnResume();
      out = TrainingJob::resume(o.out, o.stepsGiven() ? std::optional<int64_t>(o.steps) : std::nullopt, rt);
    } else {
      if (a->spec.data.empty()) fail("", "--data", "required (or --resume)");
      if (o.stepsGiven()) a->spec.settings.totalSteps = o.steps;
      o.applyPrompt(a->spec);
      if (!a->weights.empty())
        a->spec.positionWeights = PromptSequenceBuilder::parseWeights(a->weights, "--position-weights");
      out = TrainingJob::start(a->spec, o.out, rt);
    }
    o.finishProgress();
    o.publishIfAsked(out.cancelled ? std::string() : o.out + "/model", rt.leader());
    const std::string status = out.cancelled ? "cancelled" : "finished";
    const double finalLoss = out.losses.empty() ? 0.0 : out.losses.back();
    if (o.json) {
      nlohmann::json j = {
          {"status", status}, {"step", out.step}, {"run", o.out}, {"checkpoint", out.checkpoint}};
      if (!out.losses.empty()) j["final_loss"] = finalLoss;
      if (!out.cancelled) j["model"] = o.out + "/model";
      printJson(j);
    } else {
      std::cerr << status << " at step " << out.step << " (loss " << finalLoss << "); checkpoint "
                << out.checkpoint << '\n';
      if (!out.cancelled) std::cerr << "model: " << o.out << "/model\n";
    }
  });
}

} // namespace poslab::cli
