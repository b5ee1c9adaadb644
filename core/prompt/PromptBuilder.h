#pragma once
// Renders an example with a PromptTemplate into a BuiltPrompt (text + byte spans).
// Documents are rendered as upstream's prompting.py does, in the example's
// current order (arrange them first with GoldPlacement).
#include "core/data/RetrievalExample.h"
#include "core/prompt/BuiltPrompt.h"
#include "core/prompt/PromptTemplate.h"

#include <string>

namespace poslab {

// The chat template's text around the user message (rendered by the chat layer).
// The spans of the BuiltPrompt are shifted past the prefix.
struct ChatWrap {
  std::string prefix;
  std::string suffix;
};

class PromptBuilder {
public:
  explicit PromptBuilder(PromptTemplate prompt) : template_(std::move(prompt)) {}

  // Throws poslab::Error when the template does not fit the example (documents
  // for a KV example, an empty question, no documents for {search_results}, ...).
  BuiltPrompt build(const RetrievalExample& example, const ChatWrap& chat = {}) const;

  // KV pairs as upstream's get_kv_retrieval_prompt writes them: "{" before the
  // first pair, " " before the others, "\"key\": \"value\"", ",\n" after each
  // but the last, "}" after it. Keys and values are inserted verbatim, without
  // JSON escaping, exactly as upstream's f-string does.
  static std::string formatKvRecords(const std::vector<KeyValuePair>& pairs);
  // One QA document as its span covers it: "Document [n](Title: {title}) {text}",
  // n = index + 1 (Numbered), or "- Title: {title}\n{text}" (Titled; the
  // document's closing "\n" follows outside the span).
  static std::string formatDocument(const Document& document, size_t index,
                                    DocumentLayout layout = DocumentLayout::Numbered);

  const PromptTemplate& promptTemplate() const { return template_; }

private:
  PromptTemplate template_;
};

} // namespace poslab
