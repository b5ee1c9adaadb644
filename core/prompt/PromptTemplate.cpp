#include "core/prompt/PromptTemplate.h"

#include "core/util/Error.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace poslab {

namespace {

constexpr std::string_view kQaInstruction =
    "Write a high-quality answer for the given question using only the "
    "provided search results (some of which might be irrelevant).";
constexpr std::string_view kKvInstruction =
    "Extract the value corresponding to the specified key in the JSON object below.";

// Pos2Distill's released code builds its QA prompt with an f-string, not a file:
// AMAP-ML/Pos2Distill, utils.py get_template_prompt() and
// kd/customized_sft_dataset.py get_teacher_student_prompt():
//   context = ''.join([f"- Title: {doc['title']}\n{doc['text']}\n" for doc in documents])
//   f"{task_instruction}\n{context}\nQuestion: {question}\n"
// The instruction is theirs byte for byte, "high-quantify" included.
constexpr std::string_view kPos2DistillInstruction =
    "Please write a high-quantify answer for the given question using only the "
    "provided search documents (some of which might be irrelevant).";

// R2's chain-of-thought prompt (METHOD.md §2, R2): Pos2Distill's document
// layout with the paper's CoT instruction -- identify the relevant information,
// list it, reason step by step, end with "The answer is:" -- in our words; the
// released code does not include its R2 prompt.
constexpr std::string_view kCotInstruction =
    "Answer the question using the provided search documents (some of which might be irrelevant). "
    "First identify the information relevant to the question and list it, then reason step by step, "
    "and end your response with \"The answer is: \" followed by the answer.";

struct BuiltIn {
  PromptStyle style;
  const char* name;
  const char* file; // upstream's, "" where there is none
};

constexpr std::array<BuiltIn, 8> kBuiltIns = {{
    {PromptStyle::Qa, "qa", "qa.prompt"},
    {PromptStyle::QaQueryAware, "qa_query_aware", "qa_with_query_aware_contextualization.prompt"},
    {PromptStyle::QaOrderedRandomly, "qa_ordered_randomly", "qa_ordered_randomly.prompt"},
    {PromptStyle::ClosedBook, "closedbook", "closedbook_qa.prompt"},
    {PromptStyle::Kv, "kv", "kv_retrieval.prompt"},
    {PromptStyle::KvQueryAware, "kv_query_aware", "kv_retrieval_with_query_aware_contextualization.prompt"},
    {PromptStyle::Pos2Distill, "pos2distill", ""},
    {PromptStyle::Pos2DistillCot, "pos2distill_cot", ""},
}};

const BuiltIn& builtInOf(PromptStyle style) {
  for (const BuiltIn& b : kBuiltIns)
    if (b.style == style) return b;
  fail("", "prompt style", "unknown built-in template");
}

constexpr std::array<std::string_view, 4> kPlaceholders = {"search_results", "question",
                                                           "formatted_kv_records", "key"};

std::string builtInText(PromptStyle style) {
  const std::string qa(kQaInstruction);
  const std::string kv(kKvInstruction);
  switch (style) {
  case PromptStyle::Qa:
    return qa + "\n\n{search_results}\n\nQuestion: {question}\nAnswer:";
  case PromptStyle::QaQueryAware:
    return qa + "\n\nQuestion: {question}\n\n{search_results}\n\nQuestion: {question}\nAnswer:";
  case PromptStyle::QaOrderedRandomly:
    return qa +
           " The search results are ordered randomly.\n\n{search_results}\n\nQuestion: {question}\nAnswer:";
  case PromptStyle::ClosedBook:
    return "Question: {question}\nAnswer:";
  case PromptStyle::Kv:
    return kv + "\n\nJSON data:\n{formatted_kv_records}\n\nKey: \"{key}\"\nCorresponding value:";
  case PromptStyle::KvQueryAware:
    return kv +
           "\n\nKey: \"{key}\"\n\nJSON data:\n{formatted_kv_records}\n\nKey: \"{key}\"\nCorresponding value:";
  case PromptStyle::Pos2Distill:
    // {search_results} ends with the last document's "\n" (DocumentLayout::Titled).
    return std::string(kPos2DistillInstruction) + "\n{search_results}\nQuestion: {question}\n";
  case PromptStyle::Pos2DistillCot:
    return std::string(kCotInstruction) + "\n{search_results}\nQuestion: {question}\n";
  }
  return {};
}

} // namespace

const char* PromptTemplate::fileName(PromptStyle style) {
  return builtInOf(style).file;
}

const char* PromptTemplate::styleName(PromptStyle style) {
  return builtInOf(style).name;
}

std::vector<std::string> PromptTemplate::names() {
  std::vector<std::string> out;
  for (const BuiltIn& b : kBuiltIns)
    out.emplace_back(b.name);
  return out;
}

std::optional<PromptStyle> PromptTemplate::styleNamed(std::string_view name) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '-', '_');
  for (const BuiltIn& b : kBuiltIns)
    if (key == b.name || (*b.file && name == b.file)) return b.style;
  return std::nullopt;
}

PromptTemplate PromptTemplate::builtIn(PromptStyle style) {
  const BuiltIn& b = builtInOf(style);
  PromptTemplate t = parse(builtInText(style), *b.file ? b.file : b.name);
  if (style == PromptStyle::Pos2Distill || style == PromptStyle::Pos2DistillCot)
    t.layout_ = DocumentLayout::Titled;
  return t;
}

PromptTemplate PromptTemplate::fromFile(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(name, "", "cannot open prompt template " + path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && s.back() == '\n')
    s.pop_back(); // upstream: f.read().rstrip("\n")
  return parse(s, name);
}

PromptTemplate PromptTemplate::parse(std::string_view text, const std::string& name) {
  PromptTemplate t;
  t.name_ = name;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.segments_.push_back({std::move(literal), {}});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal.push_back('{'), ++i;
    } else if (ch == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal.push_back('}'), ++i;
    } else if (ch == '}') {
      fail(name, "byte " + std::to_string(i), "single '}' (write '}}' for a literal brace)");
    } else if (ch == '{') {
      const size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos)
        fail(name, "byte " + std::to_string(i), "'{' without a closing '}' (write '{{' for a literal brace)");
      const std::string field(text.substr(i + 1, close - i - 1));
      if (std::find(kPlaceholders.begin(), kPlaceholders.end(), field) == kPlaceholders.end())
        fail(name, "placeholder '{" + field + "}'",
             "unknown (expected {search_results}, {question}, {formatted_kv_records} or {key})");
      flush();
      t.segments_.push_back({{}, field});
      i = close;
    } else {
      literal.push_back(ch);
    }
  }
  flush();
  return t;
}

bool PromptTemplate::uses(std::string_view placeholder) const {
  return std::any_of(segments_.begin(), segments_.end(),
                     [&](const Segment& s) { return s.literal.empty() && s.placeholder == placeholder; });
}

} // namespace poslab
