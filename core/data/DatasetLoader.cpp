#include "core/data/DatasetLoader.h"

#include "core/data/GzipLineReader.h"
#include "core/data/RecordParser.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace poslab {

namespace {
constexpr size_t kMaxSkipReasons = 100;

bool isBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}
} // namespace

LoadedDataset DatasetLoader::load(const std::string& path, const DatasetLoadOptions& options) {
  GzipLineReader reader(path);
  const std::string& file = reader.fileName();
  LoadedDataset out;
  out.path = path;
  out.format = options.format;
  std::optional<RecordParser> parser;
  if (options.format != DataFormat::Auto) parser.emplace(file, options.format);

  auto skip = [&](const Error& e) {
    if (!options.skipBad) throw e;
    ++out.skipped;
    if (out.skipReasons.size() < kMaxSkipReasons) out.skipReasons.push_back(e.what());
  };

  std::string line;
  while (reader.next(line)) {
    if (options.limit && out.examples.size() >= options.limit) break;
    if (isBlank(line)) continue;
    const size_t lineNo = reader.lineNumber();
    try {
      nlohmann::json record;
      try {
        record = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        fail(file, "line " + std::to_string(lineNo), std::string("invalid JSON: ") + e.what());
      }
      if (!parser) {
        out.format = detectDataFormat(record);
        if (out.format == DataFormat::Auto)
          fail(file, "line " + std::to_string(lineNo),
               "cannot tell the data format: expected 'ctxs' (lost-in-the-middle QA), 'ordered_kv_records' "
               "(lost-in-the-middle KV) or 'documents'/'pairs' (PosLab)");
        parser.emplace(file, out.format);
      }
      out.examples.push_back(parser->parse(record, lineNo, out.examples.size()));
    } catch (const Error& e) {
      skip(e);
    }
  }
  if (!parser) fail(file, "", "no records");
  return out;
}

} // namespace poslab
