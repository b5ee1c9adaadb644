#include "app/cli/TrainingOptions.h"

#include "app/cli/CliSupport.h"
#include "app/cli/ProgressBar.h"
#include "core/lora/LoraConfig.h"
#include "core/util/BlasKernels.h"
#include "core/util/Error.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace poslab::cli {

TrainingOptions::TrainingOptions(CLI::App* cmd, TrainingSettings& s) {
  cmd->add_option("--out", out, "Run folder (run.json, events.jsonl, checkpoints/, model/)")->required();
  cmd->add_flag("--resume", resume, "Continue the run in --out from its latest checkpoint");
  steps_ = cmd->add_option("--steps", steps, "Optimizer steps in total");
  cmd->add_option("--device", device, "cpu or cuda[:N]");
  cmd->add_option("--threads", threads, "Intra-op threads (0 = all cores)");
  cmd->add_option("--dist-backend", distBackend,
                  "Data parallel (under torchrun or Slurm): auto (NCCL on CUDA, else Gloo), gloo or nccl")
      ->check(CLI::IsMember({"auto", "gloo", "nccl"}));
  cmd->add_option("--dist-timeout", distTimeout,
                  "Data parallel: seconds a collective may wait for the other ranks before the job ends "
                  "(default 300)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", json, "Print one JSON document with the outcome on stdout");
  cmd->add_option("--publish", publish,
                  "When the run finishes, copy its model with run.json and events.jsonl to this new folder")
      ->each([](const std::string& dir) { TrainingJob::checkPublishTarget(dir); });
  auto add = [&](CLI::Option* o) { defining_.push_back(o); };
  add(cmd->add_option("--lr", s.lr, "Peak learning rate"));
  add(cmd->add_option("--batch", s.batchSize,
                      "Instances per optimizer step (the global batch, whatever the number of processes)"));
  add(cmd->add_flag("--checkpoint-activations", s.activationCheckpointing,
                    "Recompute each layer in backward instead of keeping its activations: the same steps, "
                    "less memory, about a third more compute"));
  add(cmd->add_option(
             "--lora", s.loraRank,
             "Train rank-R LoRA adapters (PEFT semantics) on the frozen base instead of every weight; "
             "checkpoints are PEFT adapter folders")
          ->check(CLI::Range(int64_t(1), int64_t(4096))));
  add(cmd->add_option("--lora-alpha", s.loraAlpha, "LoRA alpha (default 2 x R); the scale is alpha / R")
          ->check(CLI::PositiveNumber));
  add(cmd->add_option_function<std::string>(
      "--lora-targets",
      [&s](const std::string& list) {
        s.loraTargets = LoraConfig::targetsFromShortNames(list, "--lora-targets");
      },
      "Projections that get adapters: q,k,v,o,gate,up,down or all (default all)"));
  add(cmd->add_flag("--rslora", s.loraRsLora, "Rank-stabilised LoRA: scale alpha / sqrt(R)"));
  add(cmd->add_option("--micro-batch", s.microBatch,
                      "Instances per forward/backward pass, bounds memory (default 0 = the whole batch); "
                      "the same steps whatever its value"));
  add(cmd->add_option("--warmup", s.warmupSteps, "Linear warm-up steps"));
  add(cmd->add_option("--min-lr-ratio", s.minLrRatio,
                      "The cosine ends at this fraction of --lr (default 0.1)"));
  add(cmd->add_option("--seed", s.seed, "Seed of data order and everything drawn"));
  add(cmd->add_option("--dtype", s.dtype, "f32, or bf16 (fp32 master weights)"));
  add(cmd->add_option("--weight-decay", s.weightDecay, "AdamW decoupled weight decay (default 0.01)"));
  add(cmd->add_option("--beta1", s.beta1, "AdamW beta1 (default 0.9)"));
  add(cmd->add_option("--beta2", s.beta2, "AdamW beta2 (default 0.95)"));
  add(cmd->add_option("--clip", s.clipNorm, "Global gradient-norm bound (default 1; 0 = off)"));
  add(cmd->add_option("--checkpoint-every", s.checkpointEvery, "Steps between checkpoints (0 = end only)"));
  add(cmd->add_option("--keep-checkpoints", s.keepCheckpoints, "Newest checkpoints kept (default 2)"));
  add(cmd->add_option("--log-every", s.logEvery, "Steps between events.jsonl step lines (default 1)"));
  add(cmd->add_flag("--no-shuffle{false}", s.shuffle,
                    "Visit the training instances in file order every epoch (a curriculum)"));
  // The prompt side, as `sweep` names it.
  add(cmd->add_option(
      "--docs", prompt.docs,
      "Documents (KV pairs) per prompt, gold included (default: the model's task, else all)"));
  add(cmd->add_option("--prompt-template", prompt.promptTemplate, templateNames() + ", or a template file"));
  add(cmd->add_option("--chat-template", prompt.chatTemplate,
                      "auto, none, or a family: llama2, llama3, mistral, chatml, phi3"));
  add(cmd->add_option("--system", prompt.system, "System message inside the chat template"));
  add(cmd->add_option(
      "--random-distractors", prompt.randomDistractors,
      "Oracle files: K documents per question, K-1 drawn from other questions' gold passages"));
  add(cmd->add_option("--distractor-seed", prompt.distractorSeed,
                      "Seed of --random-distractors (default 0)"));
  add(cmd->add_option("--shuffle-seed", prompt.shuffleSeed,
                      "Shuffle the kept distractors with this seed (default: keep order)"));
  add(cmd->add_option("--limit", prompt.limit, "Use the first N examples only"));
}

void TrainingOptions::refuseDefiningOnResume() const {
  for (CLI::Option* o : defining_)
    if (o->count())
      fail("", o->get_name(), "cannot be changed on --resume (the run's settings are in run.json)");
}

} // namespace poslab::cli

namespace poslab::cli {

TrainingJobRuntime
TrainingOptions::runtime(std::function<std::string(const TrainingProgress&)> detail) const {
  TrainingJobRuntime rt;
  rt.device = device;
  rt.threads = threads;
  rt.software = std::string("poslab-cli ") + POSLAB_VERSION;
  // The BLAS kernels round differently per CPU (core/util/BlasKernels.h): the
  // same seed gives the same weights only with the same kernels.
  if (const std::string blas = BlasKernels::current(); !blas.empty())
    rt.software += ", OpenBLAS " + blas + " kernels";
  rt.log = [](const std::string& line) { std::cerr << line << '\n'; };
  rt.cancel = &stopFlagOnSignals();
  const DistributedEnvironment env = DistributedEnvironment::fromProcess();
  if (env.distributed()) {
    // One process per device: torchrun's LOCAL_RANK picks the GPU.
    if (rt.device == "cuda") rt.device = "cuda:" + std::to_string(env.localRank);
    ProcessGroup::Options o;
    o.backend = distBackend;
    o.timeout = std::chrono::milliseconds(std::llround(distTimeout * 1000));
    o.device = rt.device;
    rt.group = ProcessGroup::join(env, o);
    if (!rt.group->leader()) {
      const std::filesystem::path log =
          std::filesystem::path(out) / "logs" / ("rank-" + std::to_string(env.rank) + ".log");
      std::filesystem::create_directories(log.parent_path());
      auto file = std::make_shared<std::ofstream>(log, std::ios::app);
      if (!*file) fail(log.string(), "", "cannot open for appending");
      rt.log = [file](const std::string& line) { *file << line << std::endl; };
      rt.log("rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize) + " (" +
             env.launcher + ", " + rt.group->backend() + ", local rank " + std::to_string(env.localRank) +
             ", " + rt.device + ")");
      return rt; // no progress bar: rank 0 shows the job's
    }
    rt.log("data parallel: " + std::to_string(env.worldSize) + " ranks (" + env.launcher + ", " +
           rt.group->backend() + "); the other ranks log to " +
           (std::filesystem::path(out) / "logs" / "rank-K.log").string());
  }
  bar_ = std::make_shared<ProgressBar>(std::cerr);
  rt.progress = [bar = bar_, detail](const TrainingProgress& p) {
    bar->update(p.step, p.totalSteps, p.etaSeconds, detail(p));
  };
  return rt;
}

void TrainingOptions::publishIfAsked(const std::string& model, bool leader) const {
  if (publish.empty() || !leader) return;
  if (model.empty()) { // cancelled: the run resumes, and --publish may be given again then
    std::cerr << "not published: the run did not finish\n";
    return;
  }
  TrainingJob::publishRun(out, publish);
  std::cerr << "published " << publish << '\n';
}

void TrainingOptions::finishProgress() const {
  if (bar_) bar_->finish();
}

void TrainingOptions::applyPrompt(TrainingJobSpec& spec) const {
  spec.limit = prompt.limit;
  spec.docs = prompt.docs;
  spec.promptTemplate = prompt.promptTemplate;
  spec.chatTemplate = prompt.chatTemplate;
  spec.system = prompt.system;
  spec.randomDistractors = prompt.randomDistractors;
  spec.distractorSeed = prompt.distractorSeed;
  spec.shuffleSeed = prompt.shuffle();
}

} // namespace poslab::cli
