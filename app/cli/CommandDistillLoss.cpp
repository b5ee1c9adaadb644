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
#include "core/distill/KlObjective.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

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
    const auto teacherEngine =
        a->teacherModel.empty()
            ? nullptr
            : Engine::open(a->teacherModel, AdapterArgs().options(a->device, "f32", a->threads));
    const LlamaModel& teacher = teacherEngine ? teacherEngine->model() : student->model();
    if (teacher.config().vocabSize != student->model().config().vocabSize)
      fail(a->teacherModel, "vocab_size", "differs from the student's");
    KlObjective::Pairs pairs = KlObjective::teacherPairs(set);
    auto distributions = std::make_shared<TeacherDistributions>(teacher, pairs.sequences,
                                                                TeacherDistributions::Mode::Cached, a->batch);
    const KlObjective objective(std::move(set), pairs.ofInstance, distributions,
                                PositionWeighting::parse(a->weighting, "--weighting"), a->lambda);
    objective.check(student->model().config());

    std::vector<size_t> all(objective.size());
    for (size_t i = 0; i < all.size(); ++i)
      all[i] = i;
    std::vector<double> kl;
    std::vector<std::vector<double>> tokens;
    for (size_t first = 0; first < all.size(); first += static_cast<size_t>(a->batch)) {
      const std::vector<size_t> chunk(all.begin() + static_cast<std::ptrdiff_t>(first),
                                      all.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                        all.size(), first + static_cast<size_t>(a->batch))));
      for (auto& t : objective.tokenKl(student->model(), chunk)) {
        double sum = 0;
        for (double v : t)
          sum += v;
        kl.push_back(sum / static_cast<double>(t.size()));
        tokens.push_back(std::move(t));
      }
    }
    const std::vector<double> weights = objective.factors(all, kl);
    double loss = 0;
    for (size_t i = 0; i < kl.size(); ++i)
      loss += weights[i] * kl[i];
    if (a->json) {
      nlohmann::json instances = nlohmann::json::array();
      for (size_t i = 0; i < kl.size(); ++i)
        instances.push_back({{"kl", kl[i]}, {"weight", weights[i]}, {"token_kl", tokens[i]}});
      printJson(
          {{"loss", loss}, {"weighting", a->weighting}, {"lambda", a->lambda}, {"instances", instances}});
      return;
    }
    std::printf("instance  kind        gold  KL          weight\n");
    for (size_t i = 0; i < kl.size(); ++i) {
      const DistillInstance& d = objective.set().instances[i];
      std::printf("%-9zu %-11s %-5lld %-11.5g %.5g\n", i, instanceKindName(d.kind),
                  static_cast<long long>(d.bin()), kl[i], weights[i]);
    }
    std::printf("loss %.6g (%s weighting, lambda %g, %zu instances)\n", loss, a->weighting.c_str(), a->lambda,
                kl.size());
  });
}

} // namespace poslab::cli
