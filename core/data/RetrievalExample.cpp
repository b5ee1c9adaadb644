#include "core/data/RetrievalExample.h"

namespace poslab {

const char* taskKindName(TaskKind kind) {
  return kind == TaskKind::Qa ? "qa" : "kv";
}

std::optional<size_t> RetrievalExample::goldIndex() const {
  if (kind == TaskKind::Qa) {
    for (size_t i = 0; i < documents.size(); ++i)
      if (documents[i].isGold) return i;
  } else {
    for (size_t i = 0; i < pairs.size(); ++i)
      if (pairs[i].key == key && pairs[i].value == value) return i;
  }
  return std::nullopt;
}

} // namespace poslab
