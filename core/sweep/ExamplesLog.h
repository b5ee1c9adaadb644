#pragma once
// examples.jsonl: the sweep's records, one JSON object per line, appended and
// flushed as each record finishes, so a killed sweep loses at most the record
// being written. Opening an existing log reads it back for resuming; a torn
// last line (the kill came mid-write) is cut off and counted, while damage
// anywhere else is an error naming the line: nothing already saved is dropped.
#include "core/sweep/SweepRecord.h"

#include <cstdio>
#include <set>
#include <string>
#include <vector>

namespace poslab {

class ExamplesLog {
public:
  explicit ExamplesLog(std::string path);
  ~ExamplesLog();
  ExamplesLog(const ExamplesLog&) = delete;
  ExamplesLog& operator=(const ExamplesLog&) = delete;

  const std::vector<SweepRecord>& records() const { return records_; }
  bool has(const std::string& key) const { return keys_.count(key) > 0; }
  bool tornTailRemoved() const { return tornTail_; }

  void append(const SweepRecord& record);

  // Reads a log without opening it for writing (compare, the GUI).
  static std::vector<SweepRecord> read(const std::string& path);

private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::vector<SweepRecord> records_;
  std::set<std::string> keys_;
  bool tornTail_ = false;
};

} // namespace poslab
