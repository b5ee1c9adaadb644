#include "core/prompt/PromptBuilder.h"

#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

namespace {

void renderKvRecords(const std::vector<KeyValuePair>& pairs, std::string& out, std::vector<ByteSpan>* spans) {
  for (size_t i = 0; i < pairs.size(); ++i) {
    out += i == 0 ? "{" : " ";
    const size_t begin = out.size();
    out += "\"" + pairs[i].key + "\": \"" + pairs[i].value + "\"";
    if (spans) spans->push_back({begin, out.size()});
    out += i + 1 < pairs.size() ? ",\n" : "}";
  }
}

} // namespace

std::string PromptBuilder::formatKvRecords(const std::vector<KeyValuePair>& pairs) {
  std::string out;
  renderKvRecords(pairs, out, nullptr);
  return out;
}

std::string PromptBuilder::formatDocument(const Document& document, size_t index, DocumentLayout layout) {
  if (layout == DocumentLayout::Titled) return "- Title: " + document.title + "\n" + document.text;
  return "Document [" + std::to_string(index + 1) + "](Title: " + document.title + ") " + document.text;
}

BuiltPrompt PromptBuilder::build(const RetrievalExample& ex, const ChatWrap& chat) const {
  const std::string& name = template_.name();
  const std::string where = "example " + std::to_string(ex.index);
  const bool qa = ex.hasDocuments();
  if (template_.uses("search_results") && !qa)
    fail(name, "{search_results}", where + " is a key-value example; use a KV template");
  if (template_.uses("formatted_kv_records") && qa)
    fail(name, "{formatted_kv_records}", where + " is a QA example; use a QA template");
  if (template_.uses("search_results") && ex.documents.empty())
    fail(name, "{search_results}", where + " has no documents");
  if (template_.uses("question") && ex.question.empty()) fail(name, "{question}", where + " has no question");
  if (template_.uses("key") && ex.key.empty()) fail(name, "{key}", where + " has no key");

  BuiltPrompt p;
  std::string& out = p.text;
  out = chat.prefix;
  p.user.begin = out.size();
  size_t lastPlaceholderEnd = out.size();
  for (const auto& seg : template_.segments()) {
    if (!seg.literal.empty()) {
      out += seg.literal;
      continue;
    }
    if (seg.placeholder == "search_results") {
      // Numbered documents are joined by "\n"; titled ones each end with one.
      const DocumentLayout layout = template_.documentLayout();
      for (size_t i = 0; i < ex.documents.size(); ++i) {
        if (i > 0 && layout == DocumentLayout::Numbered) out += "\n";
        const size_t begin = out.size();
        out += formatDocument(ex.documents[i], i, layout);
        p.documents.push_back({begin, out.size()});
        if (layout == DocumentLayout::Titled) out += "\n";
      }
    } else if (seg.placeholder == "formatted_kv_records") {
      renderKvRecords(ex.pairs, out, &p.documents);
    } else {
      const std::string& value = seg.placeholder == "question" ? ex.question : ex.key;
      const size_t begin = out.size();
      out += value;
      p.questions.push_back({begin, out.size()});
    }
    lastPlaceholderEnd = out.size();
  }
  p.user.end = out.size();
  const size_t lastNewline = out.rfind('\n');
  const size_t cueBegin =
      lastNewline == std::string::npos || lastNewline + 1 < p.user.begin ? p.user.begin : lastNewline + 1;
  p.answer = {std::max(cueBegin, lastPlaceholderEnd), p.user.end};
  if (!p.questions.empty()) p.question = p.questions.back();
  out += chat.suffix;
  return p;
}

} // namespace poslab
