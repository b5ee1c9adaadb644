#include "core/tokenizer/GgufSpmTokenizer.h"

#include "core/util/Error.h"
#include "core/weights/GgufFile.h"

#include <cstdio>
#include <queue>

namespace poslab {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";            // "▁" U+2581, sentencepiece's escaped space
constexpr std::string_view kUnknownSurface = " \xE2\x81\x87 "; // " ⁇ ", what sentencepiece decodes <unk> to

// Bytes in the UTF-8 character that starts with lead (1 for continuation or
// invalid bytes, which then fall back to byte tokens): llama.cpp's unicode_len_utf8.
size_t utf8Length(unsigned char lead) {
  static constexpr size_t kLength[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLength[lead >> 4];
}

// Length of the well-formed UTF-8 character at text[0], or 0 (RFC 3629).
size_t validUtf8Length(std::string_view text) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const size_t n = text.size();
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t length = 0;
  uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF)
    length = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF)
    length = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4)
    length = 4, cp = c & 0x07;
  else
    return 0;
  if (n < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  if ((length == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return length;
}

// Byte-fallback bytes back to text; each byte that starts no well-formed
// character becomes U+FFFD, as sentencepiece's decoder does.
void appendBytes(std::string& out, const std::string& bytes) {
  std::string_view rest = bytes;
  while (!rest.empty()) {
    const size_t length = validUtf8Length(rest);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      rest.remove_prefix(1);
    } else {
      out += rest.substr(0, length);
      rest.remove_prefix(length);
    }
  }
}

std::string hexByte(unsigned char byte) {
  char text[3];
  std::snprintf(text, sizeof text, "%02X", byte);
  return text;
}

// "<0x41>" -> 0x41, or -1.
int parseBytePiece(const std::string& piece) {
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  int value = 0;
  for (size_t i = 3; i < 5; ++i) {
    const char c = piece[i];
    value <<= 4;
    if (c >= '0' && c <= '9')
      value |= c - '0';
    else if (c >= 'A' && c <= 'F')
      value |= c - 'A' + 10;
    else if (c >= 'a' && c <= 'f')
      value |= c - 'a' + 10;
    else
      return -1;
  }
  return value;
}

int32_t optionalId(const GgufFile& gguf, const char* key, int32_t fallback, size_t vocab) {
  if (!gguf.has(key)) return fallback < static_cast<int32_t>(vocab) ? fallback : -1;
  int64_t id = gguf.integer(key);
  if (id == UINT32_MAX) id = -1; // llama.cpp stores "none" as uint32 -1 (stories260K's padding id)
  if (id < -1 || id >= static_cast<int64_t>(vocab))
    fail(gguf.path(), key,
         "id " + std::to_string(id) + " is out of range [0, " + std::to_string(vocab) + ")");
  return static_cast<int32_t>(id);
}

// One symbol of the text being merged: a byte range of the escaped text.
struct Symbol {
  int prev = -1;
  int next = -1;
  size_t start = 0;
  size_t size = 0; // 0 once merged into its left neighbour
};

struct Bigram {
  int left = 0;
  int right = 0;
  float score = 0;
  size_t size = 0;
};

// Highest score first; ties to the leftmost pair (sentencepiece and llama.cpp agree).
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

} // namespace

std::unique_ptr<GgufSpmTokenizer> GgufSpmTokenizer::fromGguf(const GgufFile& gguf) {
  const std::string model = gguf.string("tokenizer.ggml.model");
  if (model != "llama")
    fail(gguf.path(), "tokenizer.ggml.model", "expected \"llama\" (SentencePiece), found \"" + model + "\"");
  std::unique_ptr<GgufSpmTokenizer> tok(new GgufSpmTokenizer());
  tok->path_ = gguf.path();
  tok->pieces_ = gguf.strings("tokenizer.ggml.tokens");
  tok->scores_ = gguf.floats("tokenizer.ggml.scores");
  const std::vector<int64_t> types = gguf.integers("tokenizer.ggml.token_type");
  const size_t n = tok->pieces_.size();
  if (n == 0) fail(gguf.path(), "tokenizer.ggml.tokens", "empty vocabulary");
  if (n > static_cast<size_t>(INT32_MAX)) fail(gguf.path(), "tokenizer.ggml.tokens", "too many tokens");
  if (tok->scores_.size() != n)
    fail(gguf.path(), "tokenizer.ggml.scores",
         std::to_string(tok->scores_.size()) + " scores for " + std::to_string(n) + " tokens");
  if (types.size() != n)
    fail(gguf.path(), "tokenizer.ggml.token_type",
         std::to_string(types.size()) + " types for " + std::to_string(n) + " tokens");

  SpecialTokens special;
  special.unk = optionalId(gguf, "tokenizer.ggml.unknown_token_id", 0, n); // llama.cpp's SPM defaults
  special.bos = optionalId(gguf, "tokenizer.ggml.bos_token_id", 1, n);
  special.eos = optionalId(gguf, "tokenizer.ggml.eos_token_id", 2, n);
  special.pad = optionalId(gguf, "tokenizer.ggml.padding_token_id", -1, n);
  if (gguf.has("tokenizer.ggml.add_bos_token")) special.addBos = gguf.boolean("tokenizer.ggml.add_bos_token");
  if (gguf.has("tokenizer.ggml.add_eos_token")) special.addEos = gguf.boolean("tokenizer.ggml.add_eos_token");
  if (gguf.has("tokenizer.ggml.add_space_prefix"))
    tok->addDummyPrefix_ = gguf.boolean("tokenizer.ggml.add_space_prefix");
  tok->setSpecialTokens(special);

  tok->types_.resize(n);
  tok->byteValue_.assign(n, -1);
  tok->byteIds_.fill(special.unk);
  std::vector<std::pair<std::string, int32_t>> userDefined, specials;
  for (size_t id = 0; id < n; ++id) {
    const int64_t type = types[id];
    if (type < 1 || type > 6)
      fail(gguf.path(), "tokenizer.ggml.token_type",
           "token " + std::to_string(id) + " has unknown type " + std::to_string(type));
    const auto kind = static_cast<SpmPieceType>(type);
    const auto sid = static_cast<int32_t>(id);
    const std::string& text = tok->pieces_[id];
    tok->types_[id] = kind;
    tok->allPieces_[text] = sid;
    switch (kind) {
    case SpmPieceType::Normal:
    case SpmPieceType::Unused:
      tok->mergeable_[text] = sid;
      break;
    case SpmPieceType::UserDefined:
      tok->mergeable_[text] = sid;
      userDefined.emplace_back(text, sid);
      specials.emplace_back(text, sid);
      break;
    case SpmPieceType::Control:
      specials.emplace_back(text, sid);
      break;
    case SpmPieceType::Byte:
      if (const int value = parseBytePiece(text); value >= 0) {
        tok->byteValue_[id] = static_cast<int16_t>(value);
        tok->byteIds_[static_cast<size_t>(value)] = sid;
      }
      break;
    case SpmPieceType::Unknown:
      break;
    }
  }
  tok->userDefined_ = SpecialTextSplitter(std::move(userDefined));
  tok->specials_ = SpecialTextSplitter(std::move(specials));
  return tok;
}

Encoding GgufSpmTokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  Encoding out;
  if (options.addBos && specialTokens().bos >= 0) {
    out.ids.push_back(specialTokens().bos);
    out.offsets.push_back({0, 0});
  }
  // As llama.cpp: a text fragment gets the dummy prefix when it starts the
  // input or follows a special token.
  bool afterSpecial = true;
  const SpecialTextSplitter& splitter = options.parseSpecial ? specials_ : userDefined_;
  for (const auto& fragment : splitter.split(text)) {
    if (fragment.id >= 0) {
      out.ids.push_back(fragment.id);
      out.offsets.push_back({fragment.begin, fragment.end});
      afterSpecial = true;
    } else {
      encodeText(text.substr(fragment.begin, fragment.end - fragment.begin), fragment.begin,
                 addDummyPrefix_ && afterSpecial, out);
      afterSpecial = false;
    }
  }
  return out;
}

void GgufSpmTokenizer::encodeText(std::string_view text, size_t offset, bool dummyPrefix,
                                  Encoding& out) const {
  // The escaped text, and for each of its bytes (plus the end) the input offset.
  std::string escaped;
  std::vector<size_t> origin; // [escaped.size() + 1]
  escaped.reserve(text.size() + 8);
  origin.reserve(text.size() + 8);
  if (dummyPrefix) {
    escaped += kSpace;
    origin.insert(origin.end(), kSpace.size(), offset);
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      escaped += kSpace;
      origin.insert(origin.end(), kSpace.size(), offset + i);
    } else {
      escaped += text[i];
      origin.push_back(offset + i);
    }
  }
  origin.push_back(offset + text.size());
  if (escaped.empty()) return;

  std::vector<Symbol> symbols;
  for (size_t pos = 0; pos < escaped.size();) {
    const size_t size = std::min(utf8Length(static_cast<unsigned char>(escaped[pos])), escaped.size() - pos);
    const int index = static_cast<int>(symbols.size());
    symbols.push_back({index - 1, pos + size == escaped.size() ? -1 : index + 1, pos, size});
    pos += size;
  }

  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  std::unordered_map<std::string_view, std::pair<int, int>> revMerge; // merged text -> its two halves
  const std::string_view all(escaped);
  auto tryAddBigram = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const std::string_view joined = all.substr(symbols[left].start, symbols[left].size + symbols[right].size);
    const auto it = mergeable_.find(joined);
    if (it == mergeable_.end()) return;
    queue.push({left, right, scores_[static_cast<size_t>(it->second)], joined.size()});
    revMerge[joined] = {left, right};
  };
  for (int i = 1; i < static_cast<int>(symbols.size()); ++i)
    tryAddBigram(i - 1, i);
  while (!queue.empty()) {
    const Bigram bigram = queue.top();
    queue.pop();
    Symbol& left = symbols[bigram.left];
    Symbol& right = symbols[bigram.right];
    if (left.size == 0 || right.size == 0 || left.size + right.size != bigram.size) continue; // stale
    left.size += right.size;
    right.size = 0;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    tryAddBigram(left.prev, bigram.left);
    tryAddBigram(bigram.left, left.next);
  }

  auto emit = [&](int32_t id, size_t begin, size_t end) {
    if (id < 0) // only when the vocabulary has neither this <0xNN> piece nor an unknown token
      fail(path_, "tokenizer.ggml.tokens",
           "no byte piece <0x" + hexByte(static_cast<unsigned char>(escaped[begin])) +
               "> and no unknown token for input byte " + std::to_string(origin[begin]));
    out.ids.push_back(id);
    out.offsets.push_back({origin[begin], origin[end]});
  };
  auto emitBytes = [&](size_t start, size_t size) {
    for (size_t j = start; j < start + size; ++j)
      emit(byteIds_[static_cast<unsigned char>(all[j])], j, j + 1);
  };
  // A merged symbol that is no usable piece is split back along its merge
  // history; what is left over becomes byte tokens.
  auto resegment = [&](auto&& self, size_t start, size_t size) -> void {
    const std::string_view piece = all.substr(start, size);
    if (const auto it = mergeable_.find(piece);
        it != mergeable_.end() && types_[static_cast<size_t>(it->second)] != SpmPieceType::Unused) {
      emit(it->second, start, start + size);
      return;
    }
    const auto merge = revMerge.find(piece);
    if (merge == revMerge.end()) {
      emitBytes(start, size);
      return;
    }
    // Split where the recorded pair split (the same text splits the same way
    // wherever it occurred): the left half ends where the right one starts.
    const size_t leftSize = symbols[merge->second.second].start - symbols[merge->second.first].start;
    if (leftSize == 0 || leftSize >= size) {
      emitBytes(start, size);
      return;
    }
    self(self, start, leftSize);
    self(self, start + leftSize, size - leftSize);
  };
  for (int i = 0; i != -1; i = symbols[i].next)
    resegment(resegment, symbols[i].start, symbols[i].size);
}

std::string GgufSpmTokenizer::decode(const std::vector<int32_t>& ids, bool keepSpecial) const {
  // As sentencepiece's SentencePieceProcessor::Decode: the dummy prefix is the
  // "▁" of the first piece that yields text or starts with "▁"; control
  // pieces before it do not count (unless kept as text), byte pieces neither.
  std::string out;
  std::string bytes; // pending byte-fallback bytes
  bool expectDummy = addDummyPrefix_;
  for (int32_t id : ids) {
    checkId(id);
    const auto index = static_cast<size_t>(id);
    if (types_[index] == SpmPieceType::Byte && byteValue_[index] >= 0) {
      bytes += static_cast<char>(byteValue_[index]);
      continue;
    }
    appendBytes(out, bytes);
    bytes.clear();
    std::string_view text = pieces_[index];
    if (types_[index] == SpmPieceType::Control) {
      if (keepSpecial) out += text;
      expectDummy = expectDummy && !keepSpecial;
      continue;
    }
    if (types_[index] == SpmPieceType::Unknown) {
      out += keepSpecial ? text : kUnknownSurface;
      expectDummy = false;
      continue;
    }
    bool hadDummy = false;
    if (expectDummy && text.starts_with(kSpace)) {
      text.remove_prefix(kSpace.size());
      hadDummy = true;
    }
    if (hadDummy || !text.empty()) expectDummy = false;
    for (size_t pos = 0; pos < text.size();) {
      if (text.compare(pos, kSpace.size(), kSpace) == 0) {
        out += ' ';
        pos += kSpace.size();
      } else {
        out += text[pos++];
      }
    }
  }
  appendBytes(out, bytes);
  return out;
}

void GgufSpmTokenizer::checkId(int32_t id) const {
  if (id < 0 || id >= vocabSize())
    fail(path_, "id " + std::to_string(id), "out of range [0, " + std::to_string(vocabSize()) + ")");
}

std::string GgufSpmTokenizer::piece(int32_t id) const {
  checkId(id);
  return pieces_[static_cast<size_t>(id)];
}

std::optional<int32_t> GgufSpmTokenizer::pieceToId(std::string_view text) const {
  const auto it = allPieces_.find(text);
  if (it == allPieces_.end()) return std::nullopt;
  return it->second;
}

float GgufSpmTokenizer::score(int32_t id) const {
  checkId(id);
  return scores_[static_cast<size_t>(id)];
}

SpmPieceType GgufSpmTokenizer::pieceType(int32_t id) const {
  checkId(id);
  return types_[static_cast<size_t>(id)];
}

SentencePieceModelSpec GgufSpmTokenizer::modelSpec() const {
  SentencePieceModelSpec spec;
  spec.pieces = pieces_;
  spec.scores = scores_;
  spec.types = types_;
  spec.unkId = specialTokens().unk;
  spec.bosId = specialTokens().bos;
  spec.eosId = specialTokens().eos;
  spec.padId = specialTokens().pad;
  spec.byteFallback = false;
  for (SpmPieceType type : types_)
    if (type == SpmPieceType::Byte) spec.byteFallback = true;
  spec.addDummyPrefix = addDummyPrefix_;
  spec.removeExtraWhitespaces = false;
  spec.escapeWhitespaces = true;
  return spec;
}

} // namespace poslab
