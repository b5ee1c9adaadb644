#pragma once
// RUN/distill-set.jsonl (DESIGN.md "Distill sets"): one DistillInstance per
// line. Prepared sets carry extra human-readable fields that readers keep but
// never need; a hand-made set with only the contract's fields is valid. Every
// error names the file, the line and the field.
#include "core/distill/DistillInstance.h"

#include <string>
#include <vector>

namespace poslab {

class DistillSet {
public:
  std::string path; // where it was read from ("" for a set built in memory)
  std::vector<DistillInstance> instances;
  std::vector<size_t> lines; // 1-based source line of each instance (0: built in memory)

  static DistillSet read(const std::string& path);
  // The whole set, atomically (a reader never sees half of it).
  void write(const std::string& file) const;
  // Refuses ids outside the vocabulary and instances longer than the context.
  void check(int64_t vocabSize, int64_t contextLength) const;
  // "<file>: line N" (or "distill set: instance i") for instance i's errors.
  std::string where(size_t i) const;

  size_t count(InstanceKind kind) const;
};

} // namespace poslab
