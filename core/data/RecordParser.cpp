#include "core/data/RecordParser.h"

#include "core/util/Error.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

namespace poslab {

namespace {

using nlohmann::json;

// Field access that names the file, line and field on failure.
class Fields {
public:
  Fields(const std::string& file, size_t line) : file_(file), line_("line " + std::to_string(line)) {}

  [[noreturn]] void bad(const std::string& field, const std::string& detail) const {
    fail(file_, line_ + ": field '" + field + "'", detail);
  }
  [[noreturn]] void badRecord(const std::string& detail) const { fail(file_, line_, detail); }

  const json& member(const json& obj, const std::string& name, const std::string& path) const {
    auto it = obj.find(name);
    if (it == obj.end()) bad(path, "missing");
    return *it;
  }
  std::string string(const json& obj, const std::string& name, const std::string& path) const {
    const json& v = member(obj, name, path);
    if (!v.is_string()) bad(path, std::string("expected a string, found ") + v.type_name());
    return v.get<std::string>();
  }
  const json& array(const json& obj, const std::string& name, const std::string& path) const {
    const json& v = member(obj, name, path);
    if (!v.is_array()) bad(path, std::string("expected an array, found ") + v.type_name());
    return v;
  }
  const json& object(const json& v, const std::string& path) const {
    if (!v.is_object()) bad(path, std::string("expected an object, found ") + v.type_name());
    return v;
  }
  bool optionalBool(const json& obj, const std::string& name, const std::string& path) const {
    auto it = obj.find(name);
    if (it == obj.end() || it->is_null()) return false;
    if (!it->is_boolean()) bad(path, std::string("expected true or false, found ") + it->type_name());
    return it->get<bool>();
  }
  std::vector<std::string> strings(const json& obj, const std::string& name) const {
    const json& arr = array(obj, name, name);
    std::vector<std::string> out;
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_string())
        bad(name + "[" + std::to_string(i) + "]",
            std::string("expected a string, found ") + arr[i].type_name());
      out.push_back(arr[i].get<std::string>());
    }
    return out;
  }
  std::vector<KeyValuePair> pairs(const json& obj, const std::string& name) const {
    const json& arr = array(obj, name, name);
    std::vector<KeyValuePair> out;
    out.reserve(arr.size());
    for (size_t i = 0; i < arr.size(); ++i) {
      const json& p = arr[i];
      const std::string path = name + "[" + std::to_string(i) + "]";
      if (!p.is_array() || p.size() != 2 || !p[0].is_string() || !p[1].is_string())
        bad(path, "expected a [key, value] pair of strings");
      out.push_back({p[0].get<std::string>(), p[1].get<std::string>()});
    }
    return out;
  }
  // "id" may be a string or an integer; absent gives "".
  std::string id(const json& obj) const {
    auto it = obj.find("id");
    if (it == obj.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return it->dump();
    bad("id", std::string("expected a string or an integer, found ") + it->type_name());
  }

private:
  const std::string& file_;
  std::string line_;
};

} // namespace

RecordParser::RecordParser(std::string fileName, DataFormat format)
    : fileName_(std::move(fileName)), format_(format) {}

RetrievalExample RecordParser::parse(const json& record, size_t line, size_t index) const {
  Fields f(fileName_, line);
  if (!record.is_object()) f.badRecord(std::string("expected a JSON object, found ") + record.type_name());
  RetrievalExample ex;
  switch (format_) {
  case DataFormat::LitmQa:
    ex = parseLitmQa(record, line);
    break;
  case DataFormat::LitmKv:
    ex = parseLitmKv(record, line);
    break;
  case DataFormat::PosLab:
    ex = parsePosLab(record, line);
    break;
  case DataFormat::Musique:
    ex = parseMusique(record, line);
    break;
  case DataFormat::Auto:
    f.badRecord("internal: no data format chosen");
  }
  ex.index = index;
  ex.line = line;
  if (ex.id.empty()) ex.id = std::to_string(index);
  return ex;
}

RetrievalExample RecordParser::parseLitmQa(const json& record, size_t line) const {
  Fields f(fileName_, line);
  RetrievalExample ex;
  ex.kind = TaskKind::Qa;
  ex.question = f.string(record, "question", "question");
  ex.answers = f.strings(record, "answers");
  const json& ctxs = f.array(record, "ctxs", "ctxs");
  for (size_t i = 0; i < ctxs.size(); ++i) {
    const std::string path = "ctxs[" + std::to_string(i) + "]";
    const json& c = f.object(ctxs[i], path);
    ex.documents.push_back({f.string(c, "title", path + ".title"), f.string(c, "text", path + ".text"),
                            f.optionalBool(c, "isgold", path + ".isgold")});
  }
  checkQa(ex, line, "ctxs");
  return ex;
}

RetrievalExample RecordParser::parseLitmKv(const json& record, size_t line) const {
  Fields f(fileName_, line);
  RetrievalExample ex;
  ex.kind = TaskKind::Kv;
  ex.pairs = f.pairs(record, "ordered_kv_records");
  ex.key = f.string(record, "key", "key");
  ex.value = f.string(record, "value", "value");
  checkKv(ex, line, "ordered_kv_records");
  return ex;
}

RetrievalExample RecordParser::parsePosLab(const json& record, size_t line) const {
  Fields f(fileName_, line);
  RetrievalExample ex;
  ex.id = f.id(record);
  const bool hasDocs = record.contains("documents");
  const bool hasPairs = record.contains("pairs");
  if (hasDocs == hasPairs) f.badRecord("expected exactly one of 'documents' (qa) and 'pairs' (kv)");
  if (hasDocs) {
    ex.kind = TaskKind::Qa;
    ex.question = f.string(record, "question", "question");
    ex.answers = f.strings(record, "answers");
    const json& docs = f.array(record, "documents", "documents");
    for (size_t i = 0; i < docs.size(); ++i) {
      const std::string path = "documents[" + std::to_string(i) + "]";
      const json& d = f.object(docs[i], path);
      ex.documents.push_back({f.string(d, "title", path + ".title"), f.string(d, "text", path + ".text"),
                              f.optionalBool(d, "is_gold", path + ".is_gold")});
      if (auto hop = d.find("hop"); hop != d.end() && !hop->is_null()) {
        if (!hop->is_number_integer() || hop->get<int64_t>() < 1 || hop->get<int64_t>() > 2)
          f.bad(path + ".hop", "expected 1 or 2 (the hop a gold document answers), found " + hop->dump());
        ex.documents.back().hop = hop->get<int>();
      }
    }
    checkQa(ex, line, "documents");
  } else {
    ex.kind = TaskKind::Kv;
    ex.pairs = f.pairs(record, "pairs");
    ex.key = f.string(record, "key", "key");
    ex.value = f.string(record, "value", "value");
    checkKv(ex, line, "pairs");
  }
  if (auto it = record.find("metadata"); it != record.end()) {
    const json& meta = f.object(*it, "metadata");
    for (const auto& [k, v] : meta.items()) {
      if (!v.is_string()) f.bad("metadata." + k, std::string("expected a string, found ") + v.type_name());
      ex.metadata[k] = v.get<std::string>();
    }
  }
  return ex;
}

RetrievalExample RecordParser::parseMusique(const json& record, size_t line) const {
  Fields f(fileName_, line);
  RetrievalExample ex;
  ex.kind = TaskKind::TwoHop;
  ex.id = f.id(record);
  if (auto a = record.find("answerable"); a != record.end() && a->is_boolean() && !a->get<bool>())
    f.bad("answerable", "false: an unanswerable MuSiQue question has no answer to learn");
  ex.question = f.string(record, "question", "question");
  ex.answers = {f.string(record, "answer", "answer")};
  if (record.contains("answer_aliases"))
    for (const std::string& alias : f.strings(record, "answer_aliases"))
      ex.answers.push_back(alias);
  const json& paragraphs = f.array(record, "paragraphs", "paragraphs");
  std::vector<int64_t> idx; // each paragraph's "idx" (its position when absent)
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    const std::string path = "paragraphs[" + std::to_string(i) + "]";
    const json& p = f.object(paragraphs[i], path);
    ex.documents.push_back({f.string(p, "title", path + ".title"),
                            f.string(p, "paragraph_text", path + ".paragraph_text"),
                            f.optionalBool(p, "is_supporting", path + ".is_supporting")});
    const auto it = p.find("idx");
    idx.push_back(it != p.end() && it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(i));
  }
  // The hop order: question_decomposition[k].paragraph_support_idx names the
  // paragraph that answers hop k; without it, the order of the paragraphs.
  if (auto qd = record.find("question_decomposition"); qd != record.end() && qd->is_array()) {
    int hop = 0;
    for (size_t k = 0; k < qd->size(); ++k) {
      const json& step = (*qd)[k];
      const auto support = step.is_object() ? step.find("paragraph_support_idx") : step.end();
      if (!step.is_object() || support == step.end() || !support->is_number_integer()) continue;
      ++hop;
      const auto at = std::find(idx.begin(), idx.end(), support->get<int64_t>());
      const std::string path = "question_decomposition[" + std::to_string(k) + "].paragraph_support_idx";
      if (at == idx.end()) f.bad(path, "names no paragraph (" + support->dump() + ")");
      Document& d = ex.documents[static_cast<size_t>(at - idx.begin())];
      if (!d.isGold) f.bad(path, "names a paragraph that is not is_supporting");
      if (hop <= 2) d.hop = hop;
    }
  }
  checkQa(ex, line, "paragraphs");
  return ex;
}

void RecordParser::checkQa(RetrievalExample& ex, size_t line, const char* documentsField) const {
  Fields f(fileName_, line);
  if (ex.question.empty()) f.bad("question", "empty");
  if (ex.answers.empty()) f.bad("answers", "empty: at least one accepted answer is needed");
  if (ex.documents.empty()) f.bad(documentsField, "empty: the gold document is needed");
  size_t gold = 0, numbered = 0, hop1 = 0, hop2 = 0;
  for (const auto& d : ex.documents) {
    gold += d.isGold ? 1 : 0;
    numbered += d.isGold && d.hop > 0 ? 1 : 0;
    hop1 += d.isGold && d.hop == 1 ? 1 : 0;
    hop2 += d.isGold && d.hop == 2 ? 1 : 0;
  }
  if (ex.kind == TaskKind::Qa && gold == 2) ex.kind = TaskKind::TwoHop;
  if (ex.kind == TaskKind::TwoHop) {
    if (gold != 2)
      f.bad(documentsField, "expected two gold documents (the two hops), found " + std::to_string(gold) +
                                (gold > 2 ? " (only two-hop questions are supported)" : ""));
    if (numbered == 0) {
      int hop = 0;
      for (auto& d : ex.documents)
        if (d.isGold) d.hop = ++hop;
    } else if (hop1 != 1 || hop2 != 1) {
      f.bad(documentsField, "the two gold documents must be hop 1 and hop 2");
    }
    for (const auto& d : ex.documents)
      if (!d.isGold && d.hop != 0) f.bad(documentsField, "a document that is not gold has a hop");
    return;
  }
  if (gold != 1) f.bad(documentsField, "expected exactly one gold document, found " + std::to_string(gold));
}

void RecordParser::checkKv(const RetrievalExample& ex, size_t line, const char* pairsField) const {
  Fields f(fileName_, line);
  if (ex.key.empty()) f.bad("key", "empty");
  if (ex.pairs.empty()) f.bad(pairsField, "empty");
  std::unordered_set<std::string> keys;
  for (const auto& p : ex.pairs)
    if (!keys.insert(p.key).second) f.bad(pairsField, "duplicate key \"" + p.key + "\"");
  if (!ex.goldIndex()) f.bad(pairsField, "does not hold the queried pair [key, value]");
}

} // namespace poslab
