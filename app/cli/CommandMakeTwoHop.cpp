// poslab-cli make-two-hop --out FILE.jsonl.gz [--examples N] [--split NAME] [--seed N] [--docs K]
// Writes the synthetic two-hop task (core/demo/SyntheticTwoHopGenerator.h) in
// the demo's vocabulary as PosLab JSONL: data to try R2 and two-hop sweeps on.
#include "app/cli/CommandTable.h"
#include "core/demo/SyntheticTaskGenerator.h"
#include "core/demo/SyntheticTwoHopGenerator.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace poslab::cli {

void addMakeTwoHopCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "make-two-hop", "Write a synthetic two-hop task in the demo's vocabulary (R2 data, PosLab JSONL)");
  struct Args {
    std::string out;
    size_t examples = 300;
    std::string split = "train";
    DemoRecipe recipe;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--out", a->out, "Output file (.jsonl.gz)")->required();
  cmd->add_option("--examples", a->examples, "Examples to write")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10000000}));
  cmd->add_option("--split", a->split, "Split name: each name draws its own examples (train, heldout, ...)")
      ->capture_default_str();
  cmd->add_option("--seed", a->recipe.seed, "Seed (the demo's names come from it too)")
      ->capture_default_str();
  cmd->add_option("--docs", a->recipe.documents, "Documents per example, the two hops included")
      ->capture_default_str()
      ->check(CLI::Range(size_t{3}, size_t{60}));
  cmd->callback([a] {
    const auto examples = SyntheticTwoHopGenerator(a->recipe).examples(a->split, a->examples);
    SyntheticTaskGenerator::writeJsonlGz(a->out, examples);
    std::cout << a->out << ": " << examples.size() << " two-hop examples of " << a->recipe.documents
              << " documents\n";
  });
}

} // namespace poslab::cli
