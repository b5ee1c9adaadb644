#include "core/data/RetrievalExample.h"

namespace poslab {

const char* taskKindName(TaskKind kind) {
  switch (kind) {
  case TaskKind::Qa:
    return "qa";
  case TaskKind::Kv:
    return "kv";
  case TaskKind::TwoHop:
    return "two-hop";
  }
  return "qa";
}

std::optional<size_t> RetrievalExample::goldIndex() const {
  if (kind == TaskKind::TwoHop) {
    const std::vector<size_t> hops = hopIndices();
    if (!hops.empty()) return hops.front();
  } else if (kind == TaskKind::Qa) {
    for (size_t i = 0; i < documents.size(); ++i)
      if (documents[i].isGold) return i;
  } else {
    for (size_t i = 0; i < pairs.size(); ++i)
      if (pairs[i].key == key && pairs[i].value == value) return i;
  }
  return std::nullopt;
}

std::vector<size_t> RetrievalExample::hopIndices() const {
  std::vector<size_t> hops;
  for (int hop = 1; hop <= 2; ++hop)
    for (size_t i = 0; i < documents.size(); ++i)
      if (documents[i].isGold && (kind != TaskKind::TwoHop || documents[i].hop == hop)) {
        hops.push_back(i);
        if (kind != TaskKind::TwoHop) return hops;
      }
  return hops;
}

} // namespace poslab
