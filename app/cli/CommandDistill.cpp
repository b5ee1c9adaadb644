// poslab-cli distill --model MODEL (--data FILE | --set SET.jsonl) --method r1|r2|sft|seqkd --out RUN
//                    [--preset paper|demo|quick] [--questions N] [--k K] [--teacher-position P]
//                    [--no-anchors]
//                    [--distractor-order kept|redrawn] [--decoding greedy|sampled] [--temperature T] [--top-p
//                    P]
//                    [--weighting paper|code|uniform] [--lambda X] [--teacher cache|live] [--epochs E]
//                    [--eval-data FILE] [--eval-positions 0,4,9] [--eval-examples N] [--eval-every S]
//                    [--prepare-only] [--plan] + the options `train` has (--batch, --micro-batch, --lr, ...)
// poslab-cli distill --out RUN --resume [--steps N]
// Pos2Distill (METHOD.md §2b): prepares the distill set, trains, evaluates on
// held-out data as it goes. Ctrl-C or SIGTERM stops with a checkpoint (or
// between questions while preparing); --resume continues.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "app/cli/ProgressBar.h"
#include "app/cli/TrainingOptions.h"
#include "core/data/DatasetLoader.h"
#include "core/distill/DistillJob.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace poslab::cli {

namespace {
// Whether held-out data is two-hop (its first example decides; a file that does
// not load is left for the job to report).
bool twoHopData(const std::string& path) {
  if (path.empty()) return false;
  DatasetLoadOptions first;
  first.limit = 1;
  try {
    const LoadedDataset d = DatasetLoader::load(path, first);
    return !d.examples.empty() && d.examples.front().kind == TaskKind::TwoHop;
  } catch (const Error&) {
    return false;
  }
}
} // namespace

void addDistillCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("distill", "Pos2Distill: fix positional bias by distilling the best position");
  struct Args {
    DistillJobSpec spec;
    std::string evalPositions;
    bool noAnchors = false;
    std::unique_ptr<TrainingOptions> options;
  };
  auto a = std::make_shared<Args>();
  DistillSettings& d = a->spec.distill;
  TrainingSettings& t = a->spec.settings;
  // Defined first: CLI11 applies options in the order they are defined, so a
  // preset fills the settings and every option given after it overrides them.
  auto* preset = cmd->add_option_function<std::string>(
      "--preset",
      [a](const std::string& name) { DistillSettings::applyPreset(name, a->spec.distill, a->spec.settings); },
      "paper (METHOD.md §2b: lr 3e-6, batch 32, 2 epochs, 300 questions x K=4 + anchors, bf16, seed 42) or "
      "demo (the bundled demo, minutes on 2 cores) or quick (the demo cut to 30 steps: a check that it "
      "runs); "
      "any option given overrides it");
  a->options = std::make_unique<TrainingOptions>(cmd, t);
  TrainingOptions& opts = *a->options;
  opts.defining(preset);
  auto def = [&](CLI::Option* opt) { opts.defining(opt); };
  def(cmd->add_option("--model", a->spec.model,
                      "Model to distil: a Hugging Face folder (or a PEFT adapter folder)"));
  def(cmd->add_option("--adapter", a->spec.adapter,
                      "A PEFT LoRA adapter merged into --model first: the model to fix is base + adapter"));
  def(cmd->add_option("--data", a->spec.data, "Training data to prepare the distill set from"));
  def(cmd->add_option("--set", a->spec.set, "A prepared or hand-made distill set (distill-set.jsonl)"));
  def(cmd->add_option(
             "--method", d.method,
             "r1 (KL to the best position), r2 (two-hop data: CE on the chain of thought from the hops "
             "last, at other hop pairs), sft or seqkd (baselines)")
          ->check(CLI::IsMember({"r1", "r2", "sft", "seqkd"})));
  def(cmd->add_option("--questions", d.questions, "Questions drawn from --data (default 300)"));
  def(cmd->add_option("--k", d.k, "Student gold positions (two-hop: hop pairs) per question (default 4)"));
  def(cmd->add_option("--teacher-position", d.teacherPosition, "0-based advantageous position (default 0)"));
  def(cmd->add_flag("--no-anchors", a->noAnchors, "r1: no anchor instance per question"));
  def(cmd->add_option("--distractor-order", d.distractorOrder,
                      "kept (default) or redrawn per instance (the released code)"));
  def(cmd->add_option("--decoding", d.decoding,
                      "Teacher response: greedy (the paper) or sampled (the code)"));
  def(cmd->add_option("--temperature", d.temperature, "Sampled decoding temperature (default 0.7)"));
  def(cmd->add_option("--top-p", d.topP, "Sampled decoding top-p (default 0.95)"));
  def(cmd->add_option("--max-new-tokens", d.maxNewTokens, "Teacher response bound (default: the task's)"));
  def(cmd->add_option("--weighting", d.weighting, "r1 position weighting: paper (default), code or uniform"));
  def(cmd->add_option("--lambda", d.lambda, "r1 anchor weight (default 1)"));
  def(cmd->add_option("--teacher", d.teacher,
                      "r1 teacher: cache (distributions computed once, default) or live (a frozen copy)"));
  def(cmd->add_option("--epochs", d.epochs, "Passes over the set (sets --steps when --steps is not given)"));
  def(cmd->add_option("--eval-data", d.evalData, "Held-out data swept during training (eval/step-N/)"));
  def(cmd->add_option(
      "--eval-positions", a->evalPositions,
      "0-based gold positions to evaluate (0,4,9,14,19; two-hop: the hop pair's, 0,4,9,14,18)"));
  def(cmd->add_option("--eval-examples", d.evalExamples, "Held-out examples per evaluation (default 100)"));
  def(cmd->add_option("--eval-every", d.evalEvery, "Steps between evaluations (0: before and after only)"));
  def(cmd->add_flag("--prepare-only", a->spec.prepareOnly, "Stop after preparing distill-set.jsonl"));
  def(cmd->add_flag("--plan", a->spec.planOnly, "Print the memory plan (after preparing the set) and stop"));

  cmd->callback([a] {
    const TrainingOptions& o = *a->options;
    const TrainingJobRuntime rt = o.runtime([](const TrainingProgress& p) -> std::string {
      if (p.lr <= 0) return "questions prepared";
      char buf[160];
      std::snprintf(buf, sizeof buf, "loss %.4f  lr %.2e  %.0f tok/s", p.loss, p.lr, p.tokensPerSecond);
      return buf;
    });

    DistillOutcome out;
    if (o.resume) {
      o.refuseDefiningOnResume();
      out = DistillJob::resume(o.out, o.stepsGiven() ? std::optional<int64_t>(o.steps) : std::nullopt, rt);
    } else {
      DistillJobSpec spec = a->spec;
      if (o.stepsGiven()) {
        spec.settings.totalSteps = o.steps;
        spec.stepsGiven = true;
      }
      if (!a->evalPositions.empty())
        spec.distill.evalPositions = parsePositions(a->evalPositions, "--eval-positions");
      else if (spec.distill.method == "r2" || twoHopData(spec.distill.evalData))
        spec.distill.evalPositions = {0, 4, 9, 14, 18}; // 20 documents hold the hop pair at 19 places
      if (a->noAnchors) spec.distill.anchors = false;
      o.applyPrompt(spec.prompts);
      spec.prompts.settings = spec.settings;
      out = DistillJob::start(spec, o.out, rt);
    }
    o.finishProgress();
    if (out.status == "planned") std::cerr << out.plan.text();
    if (out.status != "prepared" && out.status != "planned") o.publishIfAsked(out.model, rt.leader());
    if (o.json) {
      nlohmann::json j = {{"status", out.status}, {"run", o.out}, {"step", out.training.step}};
      if (!out.training.losses.empty()) j["final_loss"] = out.training.losses.back();
      if (!out.model.empty()) j["model"] = out.model;
      if (out.preparation.questions > 0) j["preparation"] = out.preparation.toJson();
      if (out.plan.total() > 0) j["memory_plan"] = out.plan.toJson();
      printJson(j);
    } else {
      std::cerr << out.status;
      if (out.training.step > 0) std::cerr << " at step " << out.training.step;
      if (!out.model.empty()) std::cerr << "; model: " << out.model;
      std::cerr << '\n';
    }
  });
}

} // namespace poslab::cli
