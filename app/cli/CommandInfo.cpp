// poslab-cli info MODEL [--adapter DIR] [--json] [--dtype f32|bf16|f16]
// Reads config and tokenizer only (no weights), so it also answers quickly for
// models too large to load here.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/engine/Engine.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

namespace poslab::cli {

namespace {

std::string mebibytes(int64_t bytes) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

void printInfo(const ModelInfo& i) {
  std::cout << "model         " << i.path << " (" << i.format << ")\n"
            << "architecture  " << i.architecture << " (" << i.family << ")\n"
            << "parameters    " << i.parameters << '\n'
            << "layers        " << i.layers << '\n'
            << "hidden size   " << i.hiddenSize << " (feed-forward " << i.intermediateSize << ")\n"
            << "heads         " << i.heads << " (kv heads " << i.kvHeads << ", head_dim " << i.headDim
            << ")\n"
            << "vocabulary    " << i.vocabSize << '\n'
            << "context       " << i.contextLength << " tokens\n"
            << "rope          theta " << i.ropeTheta << ", scaling " << i.ropeScaling << '\n'
            << "embeddings    " << (i.tiedEmbeddings ? "tied" : "separate lm_head") << '\n'
            << "qkv bias      " << (i.attentionBias ? "yes" : "no") << '\n'
            << "stored dtype  " << i.storedDtype << '\n'
            << "tokenizer     " << i.tokenizerKind << '\n'
            << "memory        " << mebibytes(i.weightBytes) << " weights in " << i.computeDtype << ", + "
            << mebibytes(i.kvBytesPerToken * 1024) << " KV cache per 1024 tokens of context\n";
  if (!i.adapterPath.empty())
    std::cout << "adapter       LoRA " << i.adapterPath << ": r " << i.adapterRank << ", alpha "
              << i.adapterAlpha << (i.adapterRsLora ? " (rsLoRA)" : "") << ", scale " << i.adapterScale
              << ", targets " << i.adapterTargets << " (" << i.adapterModules << " projections, "
              << i.adapterParameters << " parameters), " << (i.adapterMerged ? "merged" : "unmerged") << '\n';
}

nlohmann::json infoJson(const ModelInfo& i) {
  nlohmann::json j = {
      {"path", i.path},
      {"format", i.format},
      {"architecture", i.architecture},
      {"family", i.family},
      {"parameters", i.parameters},
      {"layers", i.layers},
      {"hidden_size", i.hiddenSize},
      {"intermediate_size", i.intermediateSize},
      {"heads", i.heads},
      {"kv_heads", i.kvHeads},
      {"head_dim", i.headDim},
      {"vocab_size", i.vocabSize},
      {"context_length", i.contextLength},
      {"rope_theta", i.ropeTheta},
      {"rope_scaling", i.ropeScaling},
      {"tied_embeddings", i.tiedEmbeddings},
      {"attention_bias", i.attentionBias},
      {"stored_dtype", i.storedDtype},
      {"compute_dtype", i.computeDtype},
      {"tokenizer", i.tokenizerKind},
      {"bos_token_id", i.bosTokenId},
      {"eos_token_ids", i.eosTokenIds},
      {"memory", {{"weight_bytes", i.weightBytes}, {"kv_bytes_per_token", i.kvBytesPerToken}}}};
  if (!i.adapterPath.empty())
    j["adapter"] = {{"path", i.adapterPath},
                    {"base_model_name_or_path", i.adapterBase},
                    {"r", i.adapterRank},
                    {"lora_alpha", i.adapterAlpha},
                    {"use_rslora", i.adapterRsLora},
                    {"scale", i.adapterScale},
                    {"target_modules", i.adapterTargets},
                    {"projections", i.adapterModules},
                    {"parameters", i.adapterParameters},
                    {"merged", i.adapterMerged}};
  return j;
}

} // namespace

void addInfoCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Show a model's architecture, size, tokenizer and memory needs");
  auto model = std::make_shared<std::string>();
  auto dtype = std::make_shared<std::string>("f32");
  auto json = std::make_shared<bool>(false);
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("MODEL", *model, "Hugging Face folder, .gguf file or PEFT adapter folder")->required();
  addAdapterOptions(cmd, *adapter);
  cmd->add_option("--dtype", *dtype, "Compute dtype for the memory estimate: f32, bf16, f16");
  cmd->add_flag("--json", *json, "Print one JSON document");
  cmd->callback([=] {
    LoadOptions o = adapter->options();
    o.dtype = *dtype;
    ModelInfo i = Engine::inspect(*model, o);
    if (*json)
      printJson(infoJson(i));
    else
      printInfo(i);
  });
}

} // namespace poslab::cli
