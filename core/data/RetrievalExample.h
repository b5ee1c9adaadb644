#pragma once
// One example of a positional-bias experiment (METHOD.md §1): a question with its
// accepted answers and documents (exactly one of them gold), a two-hop question
// (METHOD.md §2, R2) whose two gold documents are its hops, or a key-value
// retrieval record whose queried pair plays the gold's part. Plain data; the
// loaders fill it, GoldPlacement rearranges it, the prompt layer renders it.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

// TwoHop: documents as Qa, two of them gold (hop 1 then hop 2); the answer ends a
// chain of thought ("The answer is: ...", METHOD.md §2 R2).
enum class TaskKind { Qa, Kv, TwoHop };

const char* taskKindName(TaskKind kind); // "qa" | "kv" | "two-hop"

struct Document {
  std::string title;
  std::string text;
  bool isGold = false;
  int hop = 0; // TwoHop: 1 or 2 for the gold documents, 0 for the others
};

struct KeyValuePair {
  std::string key;
  std::string value;
};

struct RetrievalExample {
  TaskKind kind = TaskKind::Qa;
  size_t index = 0; // 0-based among the examples loaded from the file
  size_t line = 0;  // 1-based line of the source file (0: built in code)
  std::string id;   // the record's own id, else the index as text

  // kind == Qa or TwoHop
  std::string question;
  std::vector<std::string> answers;
  std::vector<Document> documents;

  // kind == Kv: the pairs in prompt order; the queried pair is (key, value).
  std::vector<KeyValuePair> pairs;
  std::string key;
  std::string value;

  // Free-form provenance, e.g. {"distractors": "random"} (RandomDistractors).
  std::map<std::string, std::string> metadata;

  // Index of the gold document (Qa), of the first hop (TwoHop) or of the queried
  // pair (Kv); nullopt if absent.
  std::optional<size_t> goldIndex() const;
  // TwoHop: the indices of the hop documents, hop 1 first; Qa: the gold alone.
  std::vector<size_t> hopIndices() const;
  bool hasDocuments() const { return kind != TaskKind::Kv; }
  // Documents (Qa, TwoHop) or pairs (Kv): the items a prompt lists.
  size_t itemCount() const { return hasDocuments() ? documents.size() : pairs.size(); }
};

} // namespace poslab
