#pragma once
// One example of a positional-bias experiment (METHOD.md §1): a question with its
// accepted answers and documents (exactly one of them gold), or a key-value
// retrieval record whose queried pair plays the gold's part. Plain data; the
// loaders fill it, GoldPlacement rearranges it, the prompt layer renders it.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

enum class TaskKind { Qa, Kv };

const char* taskKindName(TaskKind kind); // "qa" | "kv"

struct Document {
  std::string title;
  std::string text;
  bool isGold = false;
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

  // kind == Qa
  std::string question;
  std::vector<std::string> answers;
  std::vector<Document> documents;

  // kind == Kv: the pairs in prompt order; the queried pair is (key, value).
  std::vector<KeyValuePair> pairs;
  std::string key;
  std::string value;

  // Free-form provenance, e.g. {"distractors": "random"} (RandomDistractors).
  std::map<std::string, std::string> metadata;

  // Index of the gold document (Qa) or of the queried pair (Kv); nullopt if absent.
  std::optional<size_t> goldIndex() const;
  // Documents (Qa) or pairs (Kv): the number of positions the gold can take.
  size_t itemCount() const { return kind == TaskKind::Qa ? documents.size() : pairs.size(); }
};

} // namespace poslab
