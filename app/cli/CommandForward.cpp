// poslab-cli forward MODEL [--adapter DIR [--merge-adapter]] --ids 1,2,3 [--dtype f32|bf16] --out
// F.safetensors Writes the logits of every position as the F32 tensor "logits" [T, vocab]: the hook for
// comparing PosLab with any other implementation.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/engine/Engine.h"
#include "core/weights/SafetensorsWriter.h"

#include <CLI/CLI.hpp>

namespace poslab::cli {

void addForwardCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("forward", "Run one forward pass and save the logits as safetensors");
  struct Args {
    std::string model, ids, out, dtype = "f32", device = "cpu";
    int threads = 0;
  };
  auto a = std::make_shared<Args>();
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder, .gguf file or PEFT adapter folder")->required();
  addAdapterOptions(cmd, *adapter);
  cmd->add_option("--ids", a->ids, "Comma-separated token ids")->required();
  cmd->add_option("--out", a->out, "Output .safetensors file")->required();
  cmd->add_option("--dtype", a->dtype, "f32, bf16 or f16 (CUDA)");
  cmd->add_option("--device", a->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->callback([a, adapter] {
    std::vector<int32_t> ids = parseIds(a->ids);
    auto engine = Engine::open(a->model, adapter->options(a->device, a->dtype, a->threads));
    std::vector<float> logits = engine->logits(ids);
    const int64_t T = static_cast<int64_t>(ids.size()), V = engine->info().vocabSize;
    SafetensorsWriter::write(a->out,
                             {{"logits", DType::F32, {T, V}, logits.data(), logits.size() * sizeof(float)}},
                             {{"model", a->model}, {"adapter", adapter->dir}, {"dtype", a->dtype}});
  });
}

} // namespace poslab::cli
