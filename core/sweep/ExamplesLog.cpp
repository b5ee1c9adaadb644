#include "core/sweep/ExamplesLog.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace poslab {

namespace {

struct Parsed {
  std::vector<SweepRecord> records;
  uint64_t goodBytes = 0; // bytes up to the end of the last complete line
  bool tornTail = false;
};

Parsed parse(const std::string& path) {
  Parsed out;
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  size_t begin = 0, line = 0;
  while (begin < text.size()) {
    ++line;
    const size_t nl = text.find('\n', begin);
    const bool last = nl == std::string::npos;
    const std::string_view body(text.data() + begin, (last ? text.size() : nl) - begin);
    if (last) { // no newline: the write of this record never finished
      out.tornTail = true;
      break;
    }
    if (!body.empty()) {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(body);
      } catch (const nlohmann::json::exception& e) {
        fail(path, "line " + std::to_string(line), std::string("not valid JSON (") + e.what() + ")");
      }
      out.records.push_back(SweepRecord::fromJson(j, path, line));
    }
    begin = nl + 1;
    out.goodBytes = begin;
  }
  return out;
}

} // namespace

ExamplesLog::ExamplesLog(std::string path) : path_(std::move(path)) {
  Parsed p = parse(path_);
  records_ = std::move(p.records);
  for (const auto& r : records_)
    keys_.insert(r.key());
  tornTail_ = p.tornTail;
  if (tornTail_) std::filesystem::resize_file(path_, p.goodBytes);
  file_ = std::fopen(path_.c_str(), "ab");
  if (!file_) fail(path_, "", std::string("cannot open for appending: ") + std::strerror(errno));
}

ExamplesLog::~ExamplesLog() {
  if (file_) std::fclose(file_);
}

void ExamplesLog::append(const SweepRecord& record) {
  const std::string line = record.toJson().dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    fail(path_, "", std::string("write failed: ") + std::strerror(errno));
  records_.push_back(record);
  keys_.insert(record.key());
}

std::vector<SweepRecord> ExamplesLog::read(const std::string& path) {
  if (!std::filesystem::exists(path)) fail(path, "", "no such file");
  return parse(path).records;
}

} // namespace poslab
