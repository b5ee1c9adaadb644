#pragma once
// Loads a whole .jsonl / .jsonl.gz dataset into RetrievalExamples. The format is
// detected from the first record (or forced); every record must then be in it.
#include "core/data/DataFormat.h"
#include "core/data/RetrievalExample.h"

#include <cstddef>
#include <string>
#include <vector>

namespace poslab {

struct DatasetLoadOptions {
  DataFormat format = DataFormat::Auto;
  // false: the first malformed record is an error naming file, line and field.
  // true: malformed records are skipped and counted (a damaged gzip stream is
  // still an error: it is the file, not a record, that is broken).
  bool skipBad = false;
  size_t limit = 0; // keep at most this many examples; 0 keeps all
};

struct LoadedDataset {
  std::string path;
  DataFormat format = DataFormat::Auto; // the format used (never Auto after a load)
  std::vector<RetrievalExample> examples;
  size_t skipped = 0;                   // records skipped under skipBad
  std::vector<std::string> skipReasons; // their error messages (the first 100)
};

class DatasetLoader {
public:
  static LoadedDataset load(const std::string& path, const DatasetLoadOptions& options = {});
};

} // namespace poslab
