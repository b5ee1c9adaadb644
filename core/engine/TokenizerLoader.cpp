#include "core/engine/TokenizerLoader.h"

#include "core/tokenizer/BpeTokenizer.h"
#include "core/tokenizer/GgufSpmTokenizer.h"
#include "core/tokenizer/SentencePieceTokenizer.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/GgufFile.h"
#include "core/weights/WeightSource.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>

namespace poslab {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// "bos_token": "<s>" or {"content": "<s>", ...}; anything else is an error
// naming the file, not an exception from inside the JSON library.
std::optional<int32_t> tokenId(const Json& cfg, const char* key, const Tokenizer& tok, const fs::path& file) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return tok.pieceToId(it->get<std::string>());
  if (!it->is_object()) fail(file.string(), key, "expected a token text or {\"content\": ...}");
  if (it->contains("content") && !it->at("content").is_string())
    fail(file.string(), std::string(key) + ".content", "expected a token text");
  return tok.pieceToId(it->value("content", std::string()));
}

// An id the tokenizer can hold (int32; -1 says "none"); which ids exist is
// the vocabulary's business.
int64_t checkedId(int64_t id, const char* key, const fs::path& file) {
  if (id < -1 || id > INT32_MAX)
    fail(file.string(), key, "token id " + std::to_string(id) + " is out of range");
  return id;
}

std::vector<int64_t> ids(const Json& cfg, const char* key, const fs::path& file) {
  auto it = cfg.find(key);
  if (it == cfg.end() || it->is_null()) return {};
  if (it->is_number_integer()) return {checkedId(it->get<int64_t>(), key, file)};
  std::vector<int64_t> out;
  if (it->is_array())
    for (const Json& v : *it)
      if (v.is_number_integer()) out.push_back(checkedId(v.get<int64_t>(), key, file));
  return out;
}

// Overlay the folder's settings, in transformers' order of authority:
// tokenizer_config.json for BOS/EOS text and add_bos, generation_config.json for
// the ids that end generation.
void applyFolderSettings(const fs::path& dir, Tokenizer& tok) {
  SpecialTokens s = tok.specialTokens();
  const fs::path tcFile = dir / "tokenizer_config.json";
  const Json tc = JsonFile::readObjectIfPresent(tcFile);
  const Json gen = JsonFile::readObjectIfPresent(dir / "generation_config.json");
  const Json model = JsonFile::readObjectIfPresent(dir / "config.json");
  if (auto id = tokenId(tc, "bos_token", tok, tcFile)) s.bos = *id;
  if (auto id = tokenId(tc, "eos_token", tok, tcFile)) s.eos = *id;
  if (auto id = tokenId(tc, "unk_token", tok, tcFile)) s.unk = *id;
  if (auto id = tokenId(tc, "pad_token", tok, tcFile)) s.pad = *id;
  if (tc.contains("add_bos_token") && tc["add_bos_token"].is_boolean())
    s.addBos = tc["add_bos_token"].get<bool>();
  if (tc.contains("add_eos_token") && tc["add_eos_token"].is_boolean())
    s.addEos = tc["add_eos_token"].get<bool>();
  const std::pair<const Json*, fs::path> idSources[] = {{&model, dir / "config.json"},
                                                        {&gen, dir / "generation_config.json"}};
  for (const auto& [cfg, file] : idSources) {
    auto bos = ids(*cfg, "bos_token_id", file);
    if (!bos.empty() && !tc.contains("bos_token")) s.bos = static_cast<int32_t>(bos.front());
    auto eos = ids(*cfg, "eos_token_id", file);
    if (!eos.empty()) {
      if (!tc.contains("eos_token")) s.eos = static_cast<int32_t>(eos.front());
      for (int64_t e : eos)
        if (e != s.eos && std::find(s.extraEos.begin(), s.extraEos.end(), e) == s.extraEos.end())
          s.extraEos.push_back(static_cast<int32_t>(e));
    }
  }
  tok.setSpecialTokens(s);
}

} // namespace

std::string TokenizerLoader::searchedFiles() {
  return "tokenizer.json, tokenizer.model, encoder.json + vocab.bpe, or a GGUF vocabulary";
}

std::unique_ptr<Tokenizer> TokenizerLoader::load(const std::string& modelPath, const WeightSource* source) {
  const fs::path path(modelPath);
  if (fs::is_regular_file(path) && path.extension() == ".gguf") {
    std::unique_ptr<GgufFile> own;
    const GgufFile* gguf = source ? source->gguf() : nullptr;
    if (!gguf) {
      own = std::make_unique<GgufFile>(modelPath);
      gguf = own.get();
    }
    if (!gguf->has("tokenizer.ggml.model")) return nullptr;
    const std::string kind = gguf->string("tokenizer.ggml.model");
    if (kind == "llama") return GgufSpmTokenizer::fromGguf(*gguf);
    if (kind == "gpt2") return BpeTokenizer::fromGguf(*gguf);
    fail(modelPath, "tokenizer.ggml.model", "unsupported '" + kind + "' (supported: llama, gpt2)");
  }
  if (!fs::is_directory(path)) return nullptr;
  std::unique_ptr<Tokenizer> tok;
  if (fs::exists(path / "tokenizer.json"))
    tok = BpeTokenizer::fromTokenizerJson((path / "tokenizer.json").string());
  else if (fs::exists(path / "tokenizer.model"))
    tok = SentencePieceTokenizer::fromFile((path / "tokenizer.model").string());
  else if (fs::exists(path / "encoder.json") && fs::exists(path / "vocab.bpe"))
    // Which regex (GPT-2's or Llama 3's) is read off the vocabulary: see
    // BpeTokenizer::preTokenizerForVocabulary.
    tok =
        BpeTokenizer::fromGpt2Files((path / "encoder.json").string(), (path / "vocab.bpe").string(), "auto");
  if (tok) applyFolderSettings(path, *tok);
  return tok;
}

} // namespace poslab
