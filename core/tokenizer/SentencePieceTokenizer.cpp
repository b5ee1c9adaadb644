#include "core/tokenizer/SentencePieceTokenizer.h"

#include "core/tokenizer/SpmShimLibrary.h"
#include "core/util/Error.h"

namespace poslab {

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromFile(const std::string& path) {
  auto shim = SpmShimLibrary::shared();
  char* error = nullptr;
  PoslabSpmModel* model = shim->load(path.c_str(), &error);
  if (!model) fail(path, "", "not a SentencePiece model (" + shim->takeError(error) + ")");
  return std::unique_ptr<SentencePieceTokenizer>(new SentencePieceTokenizer(std::move(shim), model, path));
}

SentencePieceTokenizer::SentencePieceTokenizer(std::shared_ptr<const SpmShimLibrary> shim,
                                               PoslabSpmModel* model, std::string path)
    : shim_(std::move(shim)), model_(model), path_(std::move(path)), vocabSize_(shim_->vocabSize(model)) {
  SpecialTokens special;
  special.bos = shim_->bosId(model_);
  special.eos = shim_->eosId(model_);
  special.unk = shim_->unkId(model_);
  special.pad = shim_->padId(model_);
  special.addBos = special.bos >= 0; // sentencepiece models carry no such flag; Llama and Mistral add BOS
  setSpecialTokens(special);

  std::vector<std::pair<std::string, int32_t>> controls;
  for (int32_t id = 0; id < vocabSize_; ++id)
    if (pieceType(id) == SpmPieceType::Control) controls.emplace_back(piece(id), id);
  controlTexts_ = SpecialTextSplitter(std::move(controls));
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
  shim_->free(model_);
}

void SentencePieceTokenizer::encodeText(std::string_view text, size_t offset, Encoding& out) const {
  PoslabSpmPieces pieces{};
  char* error = nullptr;
  if (shim_->encode(model_, text.data(), text.size(), &pieces, &error) != 0)
    fail(path_, "encode", shim_->takeError(error));
  for (size_t i = 0; i < pieces.count; ++i) {
    out.ids.push_back(pieces.ids[i]);
    out.offsets.push_back({offset + pieces.begin[i], offset + pieces.end[i]});
  }
  shim_->freePieces(&pieces);
}

Encoding SentencePieceTokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  Encoding out;
  if (options.addBos && specialTokens().bos >= 0) {
    out.ids.push_back(specialTokens().bos);
    out.offsets.push_back({0, 0});
  }
  if (!options.parseSpecial) {
    encodeText(text, 0, out);
    return out;
  }
  for (const auto& fragment : controlTexts_.split(text)) {
    if (fragment.id >= 0) {
      out.ids.push_back(fragment.id);
      out.offsets.push_back({fragment.begin, fragment.end});
    } else {
      encodeText(text.substr(fragment.begin, fragment.end - fragment.begin), fragment.begin, out);
    }
  }
  return out;
}

std::string SentencePieceTokenizer::decodeRun(const std::vector<int32_t>& ids) const {
  size_t length = 0;
  char* error = nullptr;
  char* text = shim_->decode(model_, ids.data(), ids.size(), &length, &error);
  if (!text) fail(path_, "decode", shim_->takeError(error));
  std::string out(text, length);
  shim_->freeString(text);
  return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids, bool keepSpecial) const {
  if (!keepSpecial) return decodeRun(ids);
  // sentencepiece drops control pieces; keep their text and decode the runs
  // between them. sentencepiece strips a run's leading "▁" because it starts
  // its own output; it is only the dummy prefix when nothing came before.
  std::string out;
  std::vector<int32_t> run;
  auto flush = [&] {
    if (run.empty()) return;
    const bool restoreSpace = !out.empty() && piece(run.front()).starts_with("\xE2\x96\x81");
    if (restoreSpace) out += ' ';
    out += decodeRun(run);
    run.clear();
  };
  for (int32_t id : ids) {
    if (id >= 0 && id < vocabSize_ && pieceType(id) == SpmPieceType::Control) {
      flush();
      out += piece(id);
    } else {
      run.push_back(id);
    }
  }
  flush();
  return out;
}

std::string SentencePieceTokenizer::piece(int32_t id) const {
  size_t length = 0;
  const char* text = shim_->piece(model_, id, &length);
  if (!text) fail(path_, "id " + std::to_string(id), "out of range [0, " + std::to_string(vocabSize_) + ")");
  return std::string(text, length);
}

std::optional<int32_t> SentencePieceTokenizer::pieceToId(std::string_view text) const {
  const int32_t id = shim_->pieceToId(model_, text.data(), text.size());
  if (id < 0) return std::nullopt;
  return id;
}

float SentencePieceTokenizer::score(int32_t id) const {
  return shim_->score(model_, id);
}

SpmPieceType SentencePieceTokenizer::pieceType(int32_t id) const {
  return static_cast<SpmPieceType>(shim_->type(model_, id));
}

} // namespace poslab
