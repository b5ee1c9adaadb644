#include "core/tokenizer/TokenizerJsonLoader.h"

#include "core/util/Error.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

namespace poslab {

namespace {

using Json = nlohmann::json;

const std::string kMetaspace = "\xE2\x96\x81"; // U+2581 "▁"

// The reader of one file: every error names the file and the JSON path.
class Reader {
public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void error(const std::string& field, const std::string& detail) const {
    fail(path_, field, detail);
  }

  const Json& require(const Json& object, const char* key, const std::string& field) const {
    if (!object.is_object() || !object.contains(key))
      error(field.empty() ? key : field + "." + key, "missing");
    return object.at(key);
  }
  std::string string(const Json& object, const char* key, const std::string& field) const {
    const Json& v = require(object, key, field);
    if (!v.is_string()) error(field + "." + key, "expected a string");
    return v.get<std::string>();
  }
  // `key` of `object`, or `fallback` when it is absent or null; not a string is an error.
  std::string optionalString(const Json& object, const char* key, const std::string& fallback,
                             const std::string& field) const {
    if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return fallback;
    if (!object.at(key).is_string()) error(field.empty() ? key : field + "." + key, "expected a string");
    return object.at(key).get<std::string>();
  }
  bool flag(const Json& object, const char* key, bool fallback, const std::string& field) const {
    if (!object.contains(key) || object.at(key).is_null()) return fallback;
    if (!object.at(key).is_boolean()) error(field + "." + key, "expected true or false");
    return object.at(key).get<bool>();
  }

  void normalizer(const Json& n, const std::string& field, BpeTokenizer::Config& config) const {
    if (n.is_null()) return;
    const std::string type = string(n, "type", field);
    if (type == "Sequence") {
      const Json& list = require(n, "normalizers", field);
      for (size_t i = 0; i < list.size(); ++i)
        normalizer(list[i], field + ".normalizers[" + std::to_string(i) + "]", config);
    } else if (type == "Prepend") {
      config.normalizer.addPrepend(string(n, "prepend", field));
    } else if (type == "Replace") {
      const Json& pattern = require(n, "pattern", field);
      if (!pattern.contains("String") || !pattern["String"].is_string())
        error(field + ".pattern", "only a String pattern is supported");
      const std::string from = pattern["String"].get<std::string>();
      const std::string to = string(n, "content", field);
      config.normalizer.addReplace(from, to);
      if (from == " ") config.spaceSymbol = to;
    } else if (type == "NFC") {
      config.normalizer.addUnicode(UnicodeNormalizer::Form::NFC);
    } else if (type == "NFD") {
      config.normalizer.addUnicode(UnicodeNormalizer::Form::NFD);
    } else if (type == "NFKC") {
      config.normalizer.addUnicode(UnicodeNormalizer::Form::NFKC);
    } else if (type == "NFKD") {
      config.normalizer.addUnicode(UnicodeNormalizer::Form::NFKD);
    } else {
      error(field + ".type", "unsupported normalizer '" + type +
                                 "' (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD)");
    }
  }

  void preTokenizer(const Json& p, const std::string& field, BpeTokenizer::Config& config,
                    bool& byteLevel) const {
    if (p.is_null()) return;
    const std::string type = string(p, "type", field);
    if (type == "Sequence") {
      const Json& list = require(p, "pretokenizers", field);
      for (size_t i = 0; i < list.size(); ++i)
        preTokenizer(list[i], field + ".pretokenizers[" + std::to_string(i) + "]", config, byteLevel);
    } else if (type == "ByteLevel") {
      byteLevel = true;
      if (flag(p, "add_prefix_space", false, field)) {
        // HF prepends per piece; before any split that is the whole fragment.
        if (!config.preTokenizer.empty())
          error(field + ".add_prefix_space", "only supported before any Split");
        config.normalizer.addPrependIfMissing(" ");
        config.stripLeadingSpace = true;
      }
      if (flag(p, "use_regex", true, field)) config.preTokenizer.addRegexSplit(PreTokenizer::gpt2Pattern());
    } else if (type == "Split") {
      const Json& pattern = require(p, "pattern", field);
      const std::string behavior = string(p, "behavior", field);
      const bool invert = flag(p, "invert", false, field);
      using B = PreTokenizer::SplitBehavior;
      B b;
      if (behavior == "Isolated")
        b = B::Isolated;
      else if (behavior == "Removed")
        b = B::Removed;
      else if (behavior == "MergedWithPrevious")
        b = B::MergedWithPrevious;
      else if (behavior == "MergedWithNext")
        b = B::MergedWithNext;
      else if (behavior == "Contiguous")
        b = B::Contiguous;
      else
        error(field + ".behavior", "unknown '" + behavior + "'");
      if (pattern.contains("Regex") && pattern["Regex"].is_string()) {
        try {
          config.preTokenizer.addRegexSplit(pattern["Regex"].get<std::string>(), b, invert);
        } catch (const Error& e) {
          error(field + ".pattern.Regex", e.what());
        }
      } else if (pattern.contains("String") && pattern["String"].is_string()) {
        config.preTokenizer.addLiteralSplit(pattern["String"].get<std::string>(), b, invert);
      } else {
        error(field + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}");
      }
    } else if (type == "Digits") {
      config.preTokenizer.addDigits(flag(p, "individual_digits", false, field));
    } else if (type == "Metaspace") {
      if (!config.preTokenizer.empty()) error(field, "Metaspace is only supported before any Split");
      const std::string replacement =
          p.contains("replacement") ? string(p, "replacement", field) : kMetaspace;
      std::string scheme = flag(p, "add_prefix_space", true, field) ? "always" : "never";
      if (p.contains("prepend_scheme")) scheme = string(p, "prepend_scheme", field);
      config.normalizer.addReplace(" ", replacement);
      config.spaceSymbol = replacement;
      if (scheme == "always" || scheme == "first") {
        config.normalizer.addPrependIfMissing(replacement, scheme == "first"
                                                               ? TextNormalizer::When::FirstFragment
                                                               : TextNormalizer::When::Always);
        config.stripLeadingSpace = true;
      } else if (scheme != "never") {
        error(field + ".prepend_scheme", "unknown '" + scheme + "' (always, first, never)");
      }
      if (flag(p, "split", true, field))
        config.preTokenizer.addLiteralSplit(replacement, PreTokenizer::SplitBehavior::MergedWithNext);
    } else {
      error(field + ".type", "unsupported pre-tokenizer '" + type +
                                 "' (supported: Sequence, ByteLevel, Split, Digits, Metaspace)");
    }
  }

  // A decoder Strip(start >= 1) or Metaspace undoes the prefix a normalizer added.
  void decoder(const Json& d, BpeTokenizer::Config& config) const {
    if (!d.is_object()) return;
    const std::string type = optionalString(d, "type", "", "decoder");
    if (type == "Sequence" && d.contains("decoders") && d["decoders"].is_array())
      for (const Json& inner : d["decoders"])
        decoder(inner, config);
    if (type == "Strip" && d.value("start", 0) >= 1) config.stripLeadingSpace = true;
    if (type == "Replace" && config.spaceSymbol.empty() && d.contains("pattern") &&
        d["pattern"].value("String", "") == kMetaspace)
      config.spaceSymbol = kMetaspace;
  }

  std::string path_;
};

std::unique_ptr<BpeTokenizer> loadFields(const Reader& r, const Json& root, const std::string& path);

} // namespace

std::unique_ptr<BpeTokenizer> TokenizerJsonLoader::load(const std::string& path) {
  const Reader r(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) r.error("", "cannot open");
  Json root;
  try {
    root = Json::parse(in);
  } catch (const Json::exception& e) {
    r.error("", std::string("not valid JSON (") + e.what() + ")");
  }
  if (!root.is_object()) r.error("", "expected a JSON object");

  // Fields of the wrong type or shape below this point that no check names
  // (deep inside normalizers, decoders, post-processors) still end as one
  // line naming the file.
  try {
    return loadFields(r, root, path);
  } catch (const Json::exception& e) {
    r.error("", std::string("a field has the wrong type or shape (") + e.what() + ")");
  }
}

namespace {

// Everything after the JSON parse: the model, added tokens, normalizer,
// pre-tokenizer, decoder and post-processor.
std::unique_ptr<BpeTokenizer> loadFields(const Reader& r, const Json& root, const std::string& path) {
  BpeTokenizer::Config config;
  config.source = path;
  const Json& model = r.require(root, "model", "");
  const std::string type =
      r.optionalString(model, "type", "BPE", "model"); // old files omit it; BPE is the default
  if (type != "BPE")
    r.error("model.type", "unsupported '" + type + "' (only BPE; SentencePiece models use tokenizer.model)");
  if (model.contains("dropout") && !model["dropout"].is_null()) {
    if (!model["dropout"].is_number()) r.error("model.dropout", "expected a number or null");
    if (model["dropout"].get<double>() > 0)
      r.error("model.dropout", "BPE dropout is for training; set it to null");
  }
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty())
      r.error(std::string("model.") + key, "not supported");

  const Json& vocab = r.require(model, "vocab", "model");
  if (!vocab.is_object()) r.error("model.vocab", "expected an object of token -> id");
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > (1 << 24))
      r.error("model.vocab['" + token + "']", "expected a token id");
    const auto index = static_cast<size_t>(id.get<int64_t>());
    if (index >= config.pieces.size()) config.pieces.resize(index + 1);
    config.pieces[index] = token;
  }
  const Json& merges = r.require(model, "merges", "model");
  if (!merges.is_array()) r.error("model.merges", "expected an array");
  config.mergesField = "model.merges";
  for (size_t i = 0; i < merges.size(); ++i) {
    const Json& m = merges[i];
    const std::string field = "model.merges[" + std::to_string(i) + "]";
    if (m.is_string()) { // "left right" (tokenizers < 0.20)
      const std::string s = m.get<std::string>();
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        r.error(field, "expected 'left right', found '" + s + "'");
      config.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) { // ["left", "right"]
      config.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      r.error(field, "expected \"left right\" or [\"left\", \"right\"]");
    }
  }
  config.byteFallback = r.flag(model, "byte_fallback", false, "model");
  config.fuseUnk = r.flag(model, "fuse_unk", false, "model");
  config.ignoreMerges = r.flag(model, "ignore_merges", false, "model");
  std::string unkToken;
  if (model.contains("unk_token") && model["unk_token"].is_string())
    unkToken = model["unk_token"].get<std::string>();

  if (root.contains("added_tokens")) {
    const Json& added = root["added_tokens"];
    if (!added.is_array()) r.error("added_tokens", "expected an array");
    for (size_t i = 0; i < added.size(); ++i) {
      const std::string field = "added_tokens[" + std::to_string(i) + "]";
      const Json& id = r.require(added[i], "id", field);
      if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > (1 << 24))
        r.error(field + ".id", "expected a token id");
      config.addedTokens.push_back(
          {r.string(added[i], "content", field), static_cast<int32_t>(id.get<int64_t>()),
           r.flag(added[i], "special", false, field), r.flag(added[i], "lstrip", false, field),
           r.flag(added[i], "rstrip", false, field)});
    }
  }

  bool byteLevel = false;
  r.normalizer(root.value("normalizer", Json()), "normalizer", config);
  r.preTokenizer(root.value("pre_tokenizer", Json()), "pre_tokenizer", config, byteLevel);
  config.byteLevel = byteLevel;
  r.decoder(root.value("decoder", Json()), config);
  if (byteLevel && config.byteFallback)
    r.error("model.byte_fallback", "cannot be combined with a ByteLevel pre-tokenizer");

  // BOS: the first item of a TemplateProcessing post-processor's "single"
  // template (Llama 3: <|begin_of_text|> $A), also inside a Sequence.
  SpecialTokens special;
  special.addBos = false;
  std::string bosText;
  std::function<void(const Json&)> post = [&](const Json& p) {
    if (!p.is_object()) return;
    if (p.value("type", "") == "Sequence" && p.contains("processors"))
      for (const Json& inner : p["processors"])
        post(inner);
    if (p.value("type", "") == "TemplateProcessing" && p.contains("single") && p["single"].is_array() &&
        !p["single"].empty() && p["single"][0].contains("SpecialToken"))
      bosText = p["single"][0]["SpecialToken"].value("id", "");
  };
  post(root.value("post_processor", Json()));

  if (!unkToken.empty()) {
    const auto it = std::find(config.pieces.begin(), config.pieces.end(), unkToken);
    if (it == config.pieces.end()) r.error("model.unk_token", "'" + unkToken + "' is not in the vocabulary");
    config.unk = special.unk = static_cast<int32_t>(it - config.pieces.begin());
  }
  auto tokenizer = std::make_unique<BpeTokenizer>(std::move(config));
  if (!bosText.empty()) {
    auto bos = tokenizer->pieceToId(bosText);
    if (!bos) r.error("post_processor", "special token '" + bosText + "' is not in the vocabulary");
    special.bos = *bos;
    special.addBos = true;
  }
  tokenizer->setSpecialTokens(special);
  return tokenizer;
}

} // namespace

} // namespace poslab
