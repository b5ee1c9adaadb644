// poslab-cli export RUN|CHECKPOINT --format hf|peft|merged --out DIR [--step N] [--dtype f32|bf16|f16]
// [--json] A trained model as a Hugging Face folder (hf, merged) or a PEFT adapter (peft), with poslab.json
// saying how it was made (core/train/ModelExporter.h).
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/train/ModelExporter.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace poslab::cli {

void addExportCommand(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("export", "Export a run's model: hf (full), peft (LoRA adapter) or merged (LoRA "
                                   "merged into its base)");
  auto r = std::make_shared<ExportRequest>();
  auto step = std::make_shared<int64_t>(-1);
  auto json = std::make_shared<bool>(false);
  cmd->add_option("SOURCE", r->source,
                  "A run folder, one of its checkpoints/step-N, or a model/adapter folder")
      ->required();
  cmd->add_option("--format", r->format, "hf, peft or merged")
      ->required()
      ->check(CLI::IsMember({"hf", "peft", "merged"}));
  cmd->add_option("--out", r->out, "New (or empty) folder to write")->required();
  cmd->add_option("--step", *step, "A run's checkpoint of this step instead of its final model")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--dtype", r->dtype, "Stored dtype: f32 (default), bf16 or f16")
      ->check(CLI::IsMember({"f32", "bf16", "f16"}));
  cmd->add_flag("--json", *json, "Print one JSON document with what was exported");
  cmd->callback([=] {
    ExportRequest req = *r;
    if (*step >= 0) req.step = *step;
    const ExportResult out = ModelExporter::run(req);
    if (*json) {
      printJson({{"out", req.out},
                 {"format", req.format},
                 {"source", out.folder},
                 {"base", out.base},
                 {"step", out.step},
                 {"tensors", out.tensors}});
    } else {
      std::cout << "exported " << out.folder
                << (out.step >= 0 ? " (step " + std::to_string(out.step) + ")" : "") << " as " << req.format
                << " to " << req.out << '\n';
    }
  });
}

} // namespace poslab::cli
