// poslab-cli distill-loss --model MODEL --set SET.jsonl [--teacher-model DIR] [--weighting
// paper|code|uniform]
//                         [--lambda X] [--batch N] [--json]
// Pos2Distill's R1 loss on a whole distill set as one batch (METHOD.md §2b):
// per instance its KL, its weight in L = Σ w_i KL_i and the KL of each
// response token (where the answer "shifts", METHOD §4.5). The teacher is
// --teacher-model (the original model, to inspect a trained one), else MODEL
// itself: then KL_i says how differently MODEL answers from position p than
// from the teacher's position.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/distill/DistillLoss.h"
#include "core/engine/Engine.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace poslab::cli {

void addDistillLossCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("distill-loss", "Pos2Distill R1 loss, per-instance and per-token KL of a set");
  struct Args {
    std::string model, teacherModel, set, weighting = "paper", device = "cpu";
    double lambda = 1.0;
    int64_t batch = 8;
    int threads = 0;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("--model", a->model, "The student: a Hugging Face folder, .gguf or PEFT adapter folder")
      ->required();
  addAdapterOptions(cmd, *adapter);
  cmd->add_option("--set", a->set, "Distill set (.jsonl) with activation/anchor instances")->required();
  cmd->add_option("--teacher-model", a->teacherModel, "The frozen teacher (default: --model itself)");
  cmd->add_option("--weighting", a->weighting, "paper (default), code or uniform")
      ->check(CLI::IsMember({"paper", "code", "uniform"}));
  cmd->add_option("--lambda", a->lambda, "Anchor weight (default 1)");
  cmd->add_option("--batch", a->batch, "Instances per forward pass (memory only; default 8)")
      ->check(CLI::Range(int64_t(1), int64_t(1) << 20));
  cmd->add_option("--device", a->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--json", a->json, "One JSON document on stdout");
  cmd->callback([a, adapter] {
    DistillSet set = DistillSet::read(a->set);
    const auto student = Engine::open(a->model, adapter->options(a->device, "f32", a->threads));
    const auto teacher =
        a->teacherModel.empty()
            ? nullptr
            : Engine::open(a->teacherModel, AdapterArgs().options(a->device, "f32", a->threads));
    DistillLossSettings settings;
    settings.weighting = PositionWeighting::parse(a->weighting, "--weighting");
    settings.lambda = a->lambda;
    settings.batch = a->batch;
    const DistillLossResult r = DistillLoss::compute(*student, teacher.get(), std::move(set), settings);
    if (a->json) {
      nlohmann::json instances = nlohmann::json::array();
      for (const InstanceLoss& i : r.instances)
        instances.push_back({{"kl", i.kl}, {"weight", i.weight}, {"token_kl", i.tokenKl}});
      printJson(
          {{"loss", r.loss}, {"weighting", a->weighting}, {"lambda", a->lambda}, {"instances", instances}});
      return;
    }
    std::printf("instance  kind        gold  KL          weight\n");
    for (size_t i = 0; i < r.instances.size(); ++i) {
      const InstanceLoss& row = r.instances[i];
      std::printf("%-9zu %-11s %-5lld %-11.5g %.5g\n", i, instanceKindName(row.kind),
                  static_cast<long long>(row.bin), row.kl, row.weight);
    }
    std::printf("loss %.6g (%s weighting, lambda %g, %zu instances)\n", r.loss, a->weighting.c_str(),
                a->lambda, r.instances.size());
  });
}

} // namespace poslab::cli
