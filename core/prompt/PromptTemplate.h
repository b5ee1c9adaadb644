#pragma once
// The prompt texts of lost-in-the-middle (METHOD.md §1), byte for byte as upstream
// renders its src/lost_in_the_middle/prompts/*.prompt files: the file is read,
// trailing "\n"s are stripped, and Python's str.format fills the placeholders.
// A user template file works the same way and may use the same placeholders:
//   {search_results}        the documents, "Document [n](Title: t) text" joined by "\n"
//   {question}              the question
//   {formatted_kv_records}  the KV pairs as one JSON object, one pair per line
//   {key}                   the queried key
// "{{" and "}}" stand for literal braces, as in str.format.
// One built-in is not from lost-in-the-middle: "pos2distill", the QA prompt of
// Pos2Distill's released code (METHOD.md §2), which lists the documents as
// "- Title: t\ntext\n" (DocumentLayout::Titled).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

enum class PromptStyle {
  Qa,                // qa.prompt
  QaQueryAware,      // qa_with_query_aware_contextualization.prompt (question before and after)
  QaOrderedRandomly, // qa_ordered_randomly.prompt (tells the model the order is random)
  ClosedBook,        // closedbook_qa.prompt (no documents)
  Kv,                // kv_retrieval.prompt
  KvQueryAware,      // kv_retrieval_with_query_aware_contextualization.prompt
  Pos2Distill,       // Pos2Distill's QA prompt (no upstream .prompt file)
  Pos2DistillCot,    // R2's chain-of-thought prompt for two-hop questions (ends "The answer is: ...")
};

// How {search_results} writes each document.
enum class DocumentLayout {
  Numbered, // "Document [n](Title: t) text", joined by "\n" (lost-in-the-middle)
  Titled,   // "- Title: t\ntext\n" each, one after the other (Pos2Distill)
};

class PromptTemplate {
public:
  // A literal run of text, or a placeholder name (then `literal` is empty).
  struct Segment {
    std::string literal;
    std::string placeholder;
  };

  static PromptTemplate builtIn(PromptStyle style);
  // The upstream file name of a built-in style, e.g. "qa.prompt"; "" for the Pos2Distill ones.
  static const char* fileName(PromptStyle style);
  // The name sweeps, attention analysis and the GUI know a built-in style by,
  // e.g. "qa_query_aware" (upstream's file stem where there is a file).
  static const char* styleName(PromptStyle style);
  // Every built-in name, in PromptStyle order.
  static std::vector<std::string> names();
  // The built-in style called `name` ("-" may stand for "_"; the upstream file
  // name works too); nullopt when it is none of them (a template file, then).
  static std::optional<PromptStyle> styleNamed(std::string_view name);
  // A user template file (trailing newlines stripped, as upstream reads its own).
  static PromptTemplate fromFile(const std::string& path);
  // `name` is what error messages call the template (a file name).
  static PromptTemplate parse(std::string_view text, const std::string& name);

  const std::string& name() const { return name_; }
  const std::vector<Segment>& segments() const { return segments_; }
  bool uses(std::string_view placeholder) const;
  DocumentLayout documentLayout() const { return layout_; }

private:
  std::string name_;
  std::vector<Segment> segments_;
  DocumentLayout layout_ = DocumentLayout::Numbered;
};

} // namespace poslab
