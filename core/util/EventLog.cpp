#include "core/util/EventLog.h"

#include "core/util/Error.h"

#include <chrono>
#include <filesystem>

namespace poslab {

EventLog::EventLog(const std::string& path) : path_(path) {
  if (path_.empty()) return;
  const auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  out_.open(path, std::ios::app | std::ios::binary);
  if (!out_) fail(path, "", "cannot open for appending");
}

void EventLog::append(const std::string& kind, const nlohmann::json& fields) {
  if (path_.empty()) return;
  nlohmann::ordered_json line;
  line["event"] = kind;
  const double unixTime =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  line["unix_time"] = unixTime;
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it)
      line[it.key()] = it.value();
  // NaN/inf are not JSON; nlohmann writes them as null, which readers can handle.
  out_ << line.dump() << '\n';
  out_.flush();
  if (!out_) fail(path_, "", "write failed");
}

} // namespace poslab
