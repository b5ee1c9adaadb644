#include "core/tokenizer/BpeTokenizer.h"

#include "core/tokenizer/ByteLevelAlphabet.h"
#include "core/tokenizer/TokenizerJsonLoader.h"
#include "core/tokenizer/Utf8.h"
#include "core/util/Error.h"
#include "core/weights/GgufFile.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <queue>

namespace poslab {

namespace {

uint64_t pairKey(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

std::string byteToken(uint8_t byte) {
  char name[8];
  std::snprintf(name, sizeof name, "<0x%02X>", byte);
  return name;
}

// Pieces longer than this are merged but not cached (long runs of whitespace
// or base64 would only fill the cache).
constexpr size_t kMaxCachedPiece = 128;
constexpr size_t kMaxCacheEntries = 1 << 18;

} // namespace

BpeTokenizer::BpeTokenizer(Config config) : config_(std::move(config)) {
  const std::string& source = config_.source;
  pieces_ = config_.pieces;
  for (const AddedToken& added : config_.addedTokens) {
    if (added.id < 0) fail(source, "added token '" + added.text + "'", "negative id");
    if (static_cast<size_t>(added.id) >= pieces_.size()) pieces_.resize(added.id + 1);
    if (pieces_[added.id].empty()) pieces_[added.id] = added.text;
  }
  ids_.reserve(pieces_.size());
  for (size_t id = 0; id < pieces_.size(); ++id)
    if (!pieces_[id].empty()) ids_.emplace(pieces_[id], static_cast<int32_t>(id)); // first id wins
  for (const AddedToken& added : config_.addedTokens)
    ids_[added.text] = added.id;

  merges_.reserve(config_.merges.size());
  for (size_t rank = 0; rank < config_.merges.size(); ++rank) {
    const auto& [left, right] = config_.merges[rank];
    const std::string field = config_.mergesField + "[" + std::to_string(rank) + "]";
    const auto l = ids_.find(left);
    const auto r = ids_.find(right);
    const auto m = ids_.find(left + right);
    if (l == ids_.end())
      fail(source, field, "'" + left + " " + right + "' names unknown token '" + left + "'");
    if (r == ids_.end())
      fail(source, field, "'" + left + " " + right + "' names unknown token '" + right + "'");
    if (m == ids_.end())
      fail(source, field,
           "'" + left + " " + right + "' makes '" + left + right + "', which is not in the vocabulary");
    merges_.try_emplace(pairKey(l->second, r->second), Merge{static_cast<int32_t>(rank), m->second});
  }

  byteSymbols_.assign(256, -1);
  for (int b = 0; b < 256; ++b) {
    const std::string symbol = config_.byteLevel ? ByteLevelAlphabet::symbol(static_cast<uint8_t>(b))
                                                 : byteToken(static_cast<uint8_t>(b));
    if (auto it = ids_.find(symbol); it != ids_.end()) byteSymbols_[b] = it->second;
  }
  byteOfId_.assign(pieces_.size(), -1);
  if (!config_.byteLevel)
    for (int b = 0; b < 256; ++b)
      if (byteSymbols_[b] >= 0) byteOfId_[byteSymbols_[b]] = static_cast<int16_t>(b);
  specialFlags_.assign(pieces_.size(), 0);
  addedById_.assign(pieces_.size(), nullptr);
  std::vector<std::pair<std::string, int32_t>> all, always;
  for (const AddedToken& added : config_.addedTokens) {
    addedById_[added.id] = &added;
    specialFlags_[added.id] = added.special ? 1 : 0;
    all.emplace_back(added.text, added.id);
    if (!added.special) always.emplace_back(added.text, added.id);
  }
  allAdded_ = SpecialTextSplitter(std::move(all));
  alwaysAdded_ = SpecialTextSplitter(std::move(always));
}

bool BpeTokenizer::isSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < specialFlags_.size() && specialFlags_[id];
}

std::string BpeTokenizer::piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= pieces_.size())
    fail(config_.source, "id " + std::to_string(id),
         "out of range [0, " + std::to_string(pieces_.size()) + ")");
  return pieces_[id];
}

std::optional<int32_t> BpeTokenizer::pieceToId(std::string_view text) const {
  auto it = ids_.find(std::string(text));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

Encoding BpeTokenizer::encode(std::string_view text, const EncodeOptions& options) const {
  Encoding out;
  if (options.addBos && specialTokens().bos >= 0) {
    out.ids.push_back(specialTokens().bos);
    out.offsets.push_back({0, 0});
  }
  const SpecialTextSplitter& splitter = options.parseSpecial ? allAdded_ : alwaysAdded_;
  if (splitter.empty()) {
    encodeFragment(text, 0, out);
    return out;
  }
  auto fragments = splitter.split(text);
  // lstrip / rstrip: an added token swallows the whitespace beside it.
  auto isSpace = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  for (size_t i = 0; i < fragments.size(); ++i) {
    auto& f = fragments[i];
    if (f.id < 0) continue;
    const AddedToken* added = addedById_[f.id];
    if (added->lstrip && i > 0 && fragments[i - 1].id < 0) {
      auto& prev = fragments[i - 1];
      while (prev.end > prev.begin && isSpace(text[prev.end - 1]))
        --prev.end;
      f.begin = prev.end;
    }
    if (added->rstrip && i + 1 < fragments.size() && fragments[i + 1].id < 0) {
      auto& next = fragments[i + 1];
      while (next.begin < next.end && isSpace(text[next.begin]))
        ++next.begin;
      f.end = next.begin;
    }
  }
  for (const auto& f : fragments) {
    if (f.id >= 0) {
      out.ids.push_back(f.id);
      out.offsets.push_back({f.begin, f.end});
    } else if (f.end > f.begin) {
      encodeFragment(text.substr(f.begin, f.end - f.begin), f.begin, out);
    }
  }
  return out;
}

void BpeTokenizer::encodeFragment(std::string_view fragment, size_t base, Encoding& out) const {
  const NormalizedText normalized = config_.normalizer.apply(fragment, base == 0);
  const std::string_view text = normalized.text;
  Piece symbols;
  for (const PreTokenizer::Piece& piece : config_.preTokenizer.split(text)) {
    mergePiece(text.substr(piece.begin, piece.end - piece.begin), symbols);
    size_t cursor = piece.begin;
    for (const Symbol& s : symbols) {
      const auto [begin, end] = normalized.originOf(cursor, cursor + s.length, base);
      out.ids.push_back(s.id);
      out.offsets.push_back({begin, end});
      cursor += s.length;
    }
  }
}

void BpeTokenizer::mergePiece(std::string_view piece, Piece& out) const {
  const bool cacheable = piece.size() <= kMaxCachedPiece;
  std::string key;
  if (cacheable) {
    key.assign(piece);
    std::lock_guard lock(cacheMutex_);
    if (auto it = cache_.find(key); it != cache_.end()) {
      out = it->second;
      return;
    }
  }
  out.clear();
  if (config_.ignoreMerges) {
    // The piece as a vocabulary string: its bytes in the byte alphabet.
    std::string word;
    if (config_.byteLevel)
      for (unsigned char c : piece)
        word += ByteLevelAlphabet::symbol(c);
    else
      word.assign(piece);
    if (auto it = ids_.find(word); it != ids_.end() && !addedById_[it->second])
      out.push_back({it->second, static_cast<uint32_t>(piece.size())});
  }
  if (out.empty()) {
    initialSymbols(piece, out);
    applyMerges(out);
  }
  if (cacheable) {
    std::lock_guard lock(cacheMutex_);
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
    cache_.emplace(std::move(key), out);
  }
}

void BpeTokenizer::initialSymbols(std::string_view piece, Piece& symbols) const {
  if (config_.byteLevel) {
    for (unsigned char c : piece) {
      const int32_t id = byteSymbols_[c] >= 0 ? byteSymbols_[c] : config_.unk;
      if (id < 0) // never drop a byte silently
        fail(config_.source, "vocabulary",
             "no symbol for byte " + std::to_string(c) + " ('" + ByteLevelAlphabet::symbol(c) +
                 "') and no unknown token");
      symbols.push_back({id, 1});
    }
    return;
  }
  // Characters; unknown ones as <0xNN> byte tokens (byte_fallback) or unk.
  for (size_t pos = 0; pos < piece.size();) {
    size_t length = Utf8::validLength(piece, pos);
    const bool valid = length > 0;
    if (!valid) length = 1;
    const auto it = valid ? ids_.find(std::string(piece.substr(pos, length))) : ids_.end();
    if (it != ids_.end()) {
      symbols.push_back({it->second, static_cast<uint32_t>(length)});
    } else if (config_.byteFallback && byteSymbols_[static_cast<unsigned char>(piece[pos])] >= 0) {
      for (size_t i = 0; i < length; ++i)
        symbols.push_back({byteSymbols_[static_cast<unsigned char>(piece[pos + i])], 1});
    } else if (config_.fuseUnk && !symbols.empty() && symbols.back().id == config_.unk) {
      symbols.back().length += static_cast<uint32_t>(length);
    } else {
      if (config_.unk < 0)
        fail(config_.source, "model.unk_token",
             "a character is not in the vocabulary and there is no unknown token");
      symbols.push_back({config_.unk, static_cast<uint32_t>(length)});
    }
    pos += length;
  }
}

void BpeTokenizer::applyMerges(Piece& symbols) const {
  const size_t n = symbols.size();
  if (n < 2) return;
  // Doubly linked symbols; a min-heap of candidate pairs by (rank, position).
  // A popped pair is stale if either side changed since it was pushed.
  std::vector<int> prev(n), next(n);
  for (size_t i = 0; i < n; ++i) {
    prev[i] = static_cast<int>(i) - 1;
    next[i] = i + 1 < n ? static_cast<int>(i) + 1 : -1;
  }
  struct Candidate {
    int32_t rank;
    int left;
    int32_t leftId, rightId;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> heap;
  auto push = [&](int left) {
    if (left < 0 || next[left] < 0) return;
    const int right = next[left];
    auto it = merges_.find(pairKey(symbols[left].id, symbols[right].id));
    if (it != merges_.end()) heap.push({it->second.rank, left, symbols[left].id, symbols[right].id});
  };
  for (size_t i = 0; i + 1 < n; ++i)
    push(static_cast<int>(i));
  std::vector<bool> gone(n, false);
  while (!heap.empty()) {
    const Candidate c = heap.top();
    heap.pop();
    const int right = next[c.left];
    if (gone[c.left] || right < 0 || symbols[c.left].id != c.leftId || symbols[right].id != c.rightId)
      continue;
    symbols[c.left].id = merges_.at(pairKey(c.leftId, c.rightId)).result;
    symbols[c.left].length += symbols[right].length;
    gone[right] = true;
    next[c.left] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.left;
    push(prev[c.left]);
    push(c.left);
  }
  size_t kept = 0;
  for (int i = 0; i >= 0; i = next[i])
    symbols[kept++] = symbols[i];
  symbols.resize(kept);
}

std::string BpeTokenizer::decode(const std::vector<int32_t>& ids, bool keepSpecial) const {
  std::string out;
  std::string fallbackBytes; // a run of <0xNN> tokens not yet written (not byte-level)
  // HF's ByteFallback decoder: a run of byte tokens that is valid UTF-8 becomes
  // its text; otherwise every byte of the run becomes one U+FFFD.
  auto flushBytes = [&] {
    if (fallbackBytes.empty()) return;
    if (Utf8::lossy(fallbackBytes) == fallbackBytes)
      out += fallbackBytes;
    else
      for (size_t i = 0; i < fallbackBytes.size(); ++i)
        out += "\xEF\xBF\xBD";
    fallbackBytes.clear();
  };
  for (int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) continue;
    if (!config_.byteLevel && byteOfId_[id] >= 0 && !addedById_[id]) {
      fallbackBytes += static_cast<char>(byteOfId_[id]);
      continue;
    }
    flushBytes();
    if (const AddedToken* added = addedById_[id]) {
      if (!added->special || keepSpecial) out += added->text;
      continue;
    }
    const std::string& p = pieces_[id];
    if (config_.byteLevel) {
      ByteLevelAlphabet::toBytes(p, out);
    } else if (config_.spaceSymbol.empty()) {
      out += p;
    } else {
      for (size_t pos = 0;;) {
        const size_t found = p.find(config_.spaceSymbol, pos);
        out.append(p, pos, found == std::string::npos ? std::string::npos : found - pos);
        if (found == std::string::npos) break;
        out += ' ';
        pos = found + config_.spaceSymbol.size();
      }
    }
  }
  flushBytes();
  if (config_.stripLeadingSpace && !out.empty() && out.front() == ' ') out.erase(0, 1);
  // HF's ByteLevel decoder joins the bytes of all tokens, then String::from_utf8_lossy.
  return config_.byteLevel ? Utf8::lossy(out) : out;
}

// --- Loaders (tokenizer.json: TokenizerJsonLoader) ---------------------------

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromTokenizerJson(const std::string& path) {
  return TokenizerJsonLoader::load(path);
}

bool BpeTokenizer::applyPreTokenizerPreset(const std::string& name, Config& config) {
  // llama.cpp's names for tokenizer.ggml.pre (src/llama-vocab.cpp).
  if (name == "gpt-2" || name == "default") {
    config.preTokenizer = PreTokenizer::gpt2();
  } else if (name == "llama-bpe" || name == "llama3") {
    config.preTokenizer = PreTokenizer::llama3();
    config.ignoreMerges = true; // Meta's tokenizer.json sets ignore_merges; llama.cpp does the same
  } else if (name == "qwen2") {
    config.preTokenizer = PreTokenizer::qwen2();
  } else {
    return false;
  }
  return true;
}

std::string BpeTokenizer::preTokenizerNames() {
  return "gpt-2, default, llama-bpe, llama3, qwen2";
}

std::string BpeTokenizer::preTokenizerForVocabulary(const std::vector<std::string>& pieces) {
  // A BPE vocabulary carries the fingerprint of the regex it was trained
  // behind, in its number tokens. Llama 3's `\p{N}{1,3}` cuts digit runs into
  // groups of at most three with no space before them, so its vocabulary holds
  // every 1-3 digit string ("0".."9", "00".."99", "000".."999": 1 110 tokens),
  // no longer digit run and no space+digits token. GPT-2's ` ?\p{N}+` keeps whole
  // runs with their space and learns tokens such as "2016" and "Ġ2016".
  // The files have no other field that names the regex (encoder.json has no
  // special tokens, so <|begin_of_text|> cannot be looked for).
  size_t shortNumbers = 0;
  for (const std::string& p : pieces) {
    std::string_view digits = p;
    const bool spaced = digits.starts_with("\xC4\xA0"); // "Ġ", the byte-level space
    if (spaced) digits.remove_prefix(2);
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    if (spaced || digits.size() > 3) return "gpt-2";
    ++shortNumbers;
  }
  return shortNumbers == 10 + 100 + 1000 ? "llama-bpe" : "gpt-2";
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromGpt2Files(const std::string& encoderJson,
                                                          const std::string& vocabBpe,
                                                          const std::string& pre) {
  Config config;
  config.source = vocabBpe;
  if (pre != "auto" && !applyPreTokenizerPreset(pre, config))
    fail(encoderJson, "pre-tokenizer",
         "unknown '" + pre + "' (supported: auto, " + preTokenizerNames() + ")");

  std::ifstream encoderIn(encoderJson, std::ios::binary);
  if (!encoderIn) fail(encoderJson, "", "cannot open");
  nlohmann::json encoder;
  try {
    encoder = nlohmann::json::parse(encoderIn);
  } catch (const nlohmann::json::exception& e) {
    fail(encoderJson, "", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!encoder.is_object()) fail(encoderJson, "", "expected an object of token -> id");
  for (const auto& [token, id] : encoder.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > (1 << 24))
      fail(encoderJson, "'" + token + "'", "expected a token id");
    const auto index = static_cast<size_t>(id.get<int64_t>());
    if (index >= config.pieces.size()) config.pieces.resize(index + 1);
    config.pieces[index] = token;
  }

  if (pre == "auto") applyPreTokenizerPreset(preTokenizerForVocabulary(config.pieces), config);

  std::ifstream mergesIn(vocabBpe, std::ios::binary);
  if (!mergesIn) fail(vocabBpe, "", "cannot open");
  std::string line;
  for (size_t lineNo = 1; std::getline(mergesIn, line); ++lineNo) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // GPT-2's own file starts with "#version: 0.2"; every other line is a merge,
    // including the ones that start with '#' ("# #", "## ##" in Llama 3).
    if (lineNo == 1 && line.starts_with("#version")) continue;
    if (line.empty()) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      fail(vocabBpe, "line " + std::to_string(lineNo), "expected 'left right', found '" + line + "'");
    config.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
  }
  config.mergesField = "merge";

  SpecialTokens special;
  special.addBos = config.ignoreMerges; // Llama 3 adds <|begin_of_text|>; GPT-2 adds nothing
  auto tokenizer = std::make_unique<BpeTokenizer>(std::move(config));
  if (auto eot = tokenizer->pieceToId("<|endoftext|>")) {
    special.bos = special.eos = *eot;
  }
  tokenizer->setSpecialTokens(special);
  return tokenizer;
}

std::unique_ptr<BpeTokenizer> BpeTokenizer::fromGguf(const GgufFile& gguf) {
  const std::string& file = gguf.path();
  const std::string model = gguf.string("tokenizer.ggml.model");
  if (model != "gpt2") fail(file, "tokenizer.ggml.model", "'" + model + "' is not byte-level BPE ('gpt2')");
  Config config;
  config.source = file;
  const std::string pre = gguf.has("tokenizer.ggml.pre") ? gguf.string("tokenizer.ggml.pre") : "default";
  if (!applyPreTokenizerPreset(pre, config))
    fail(file, "tokenizer.ggml.pre", "unsupported '" + pre + "' (supported: " + preTokenizerNames() + ")");

  config.pieces = gguf.strings("tokenizer.ggml.tokens");
  config.mergesField = "tokenizer.ggml.merges";
  for (const std::string& merge : gguf.strings("tokenizer.ggml.merges")) {
    const size_t space = merge.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == merge.size())
      fail(file, "tokenizer.ggml.merges", "expected 'left right', found '" + merge + "'");
    config.merges.emplace_back(merge.substr(0, space), merge.substr(space + 1));
  }
  if (gguf.has("tokenizer.ggml.token_type")) {
    const std::vector<int64_t> types = gguf.integers("tokenizer.ggml.token_type");
    if (types.size() != config.pieces.size())
      fail(file, "tokenizer.ggml.token_type",
           std::to_string(types.size()) + " entries for " + std::to_string(config.pieces.size()) + " tokens");
    // llama.cpp token types: 2 UNKNOWN, 3 CONTROL (matched only when parsing
    // special tokens), 4 USER_DEFINED (always matched).
    for (size_t id = 0; id < types.size(); ++id) {
      if (types[id] == 3 || types[id] == 4)
        config.addedTokens.push_back({config.pieces[id], static_cast<int32_t>(id), types[id] == 3});
      if (types[id] == 2) config.unk = static_cast<int32_t>(id);
    }
  }

  SpecialTokens special;
  auto id = [&](const char* key) { return gguf.has(key) ? static_cast<int32_t>(gguf.integer(key)) : -1; };
  special.bos = id("tokenizer.ggml.bos_token_id");
  special.eos = id("tokenizer.ggml.eos_token_id");
  special.unk = id("tokenizer.ggml.unknown_token_id");
  special.pad = id("tokenizer.ggml.padding_token_id");
  if (special.unk >= 0) config.unk = special.unk;
  special.addBos = gguf.has("tokenizer.ggml.add_bos_token")
                       ? gguf.boolean("tokenizer.ggml.add_bos_token")
                       : config.ignoreMerges; // llama.cpp's default per pre
  special.addEos = gguf.has("tokenizer.ggml.add_eos_token") && gguf.boolean("tokenizer.ggml.add_eos_token");
  for (const char* key : {"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"}) {
    const int32_t extra = id(key);
    if (extra >= 0 && extra != special.eos) special.extraEos.push_back(extra);
  }
  auto tokenizer = std::make_unique<BpeTokenizer>(std::move(config));
  tokenizer->setSpecialTokens(special);
  return tokenizer;
}

} // namespace poslab
