// poslab-cli convert MODEL.gguf --out DIR [--dtype f32|bf16|f16]
#include "app/cli/CommandTable.h"
#include "core/engine/GgufConverter.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace poslab::cli {

void addConvertCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("convert", "Convert a GGUF model into a Hugging Face folder (safetensors)");
  struct Args {
    std::string model, out, dtype = "f32";
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("MODEL", a->model, ".gguf file")->required();
  cmd->add_option("--out", a->out, "New output folder")->required();
  cmd->add_option("--dtype", a->dtype, "Weights dtype to write: f32, bf16 or f16");
  cmd->callback([a] {
    GgufConverter::convert(a->model, a->out, a->dtype);
    std::cerr << "wrote " << a->out << '\n';
  });
}

} // namespace poslab::cli
