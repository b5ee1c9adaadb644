#include "core/engine/GgufConverter.h"

#include "core/model/HuggingFaceWriter.h"
#include "core/model/ModelLoader.h"
#include "core/model/WeightAdapter.h"
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/tokenizer/SentencePieceModelWriter.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/GgufFile.h"
#include "core/weights/WeightSource.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace poslab {

namespace fs = std::filesystem;

namespace {

// The GGUF SentencePiece vocabulary -> tokenizer.model + tokenizer_config.json.
void writeTokenizer(const GgufFile& g, const fs::path& dir) {
  if (!g.has("tokenizer.ggml.model")) return; // weights-only GGUF: ids-only model
  const std::string kind = g.string("tokenizer.ggml.model");
  if (kind != "llama")
    fail(g.path(), "tokenizer.ggml.model",
         "convert writes SentencePiece vocabularies ('llama'); this one is '" + kind + "'");
  const auto tokenizer = GgufSpmTokenizer::fromGguf(g);
  const SentencePieceModelSpec spec = tokenizer->modelSpec();
  SentencePieceModelWriter::write(spec, (dir / "tokenizer.model").string());

  auto piece = [&](int32_t i) {
    return i >= 0 && i < static_cast<int32_t>(spec.pieces.size()) ? spec.pieces[static_cast<size_t>(i)]
                                                                  : std::string();
  };
  nlohmann::json tc = {{"tokenizer_class", "LlamaTokenizer"},
                       {"add_bos_token", tokenizer->specialTokens().addBos},
                       {"add_eos_token", tokenizer->specialTokens().addEos}};
  if (spec.bosId >= 0) tc["bos_token"] = piece(spec.bosId);
  if (spec.eosId >= 0) tc["eos_token"] = piece(spec.eosId);
  if (spec.unkId >= 0) tc["unk_token"] = piece(spec.unkId);
  if (spec.padId >= 0) tc["pad_token"] = piece(spec.padId);
  if (g.has("tokenizer.chat_template")) tc["chat_template"] = g.string("tokenizer.chat_template");
  JsonFile::write((dir / "tokenizer_config.json").string(), tc);
}

} // namespace

void GgufConverter::convert(const std::string& ggufPath, const std::string& outDir,
                            const std::string& dtype) {
  const at::ScalarType t = dtype == "f32"    ? at::kFloat
                           : dtype == "bf16" ? at::kBFloat16
                           : dtype == "f16"  ? at::kHalf
                                             : at::kByte;
  if (t == at::kByte) fail("", "--dtype", "unknown '" + dtype + "' (use f32, bf16 or f16)");
  auto source = WeightSource::open(ggufPath);
  if (source->kind() != WeightSource::Kind::Gguf) fail(ggufPath, "", "convert expects a .gguf file");
  if (fs::exists(outDir) && !fs::is_empty(outDir))
    fail(outDir, "", "exists and is not empty; choose a new folder");
  fs::create_directories(outDir);
  const GgufFile& g = *source->gguf();
  ModelConfig config = ModelLoader::readConfig(*source);
  // Load in f32 so un-permuting and dequantising lose nothing before the final cast.
  // Without a LoadControl the load cannot be cancelled: the optional is always set.
  const ModelWeights weights = *WeightAdapter::load(*source, config, at::kFloat, at::kCPU);
  HuggingFaceWriter::write(outDir, config, weights, t);
  writeTokenizer(g, outDir);
  nlohmann::json gen = {{"_from", "poslab-cli convert"}};
  if (config.bosTokenId >= 0) gen["bos_token_id"] = config.bosTokenId;
  if (!config.eosTokenIds.empty()) gen["eos_token_id"] = config.eosTokenIds.front();
  JsonFile::write((fs::path(outDir) / "generation_config.json").string(), gen);
}

} // namespace poslab
