#pragma once
// <run>/events.jsonl (DESIGN.md, "Files a run leaves"): one JSON object per
// line, append-only, flushed line by line so a watcher (the GUI, `tail -f`)
// sees each event as it happens and a killed run loses at most a partial line.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace poslab {

class EventLog {
public:
  // Appends; creates the file and folder. An empty path writes nothing: the
  // log of a data-parallel rank other than 0, which must not touch the run folder.
  explicit EventLog(const std::string& path);
  // Writes {"event": kind, ...fields}; fields must be an object (or null).
  void append(const std::string& kind, const nlohmann::json& fields = nlohmann::json::object());
  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::ofstream out_;
};

} // namespace poslab
