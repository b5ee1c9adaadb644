#include "core/jobs/FollowedRuns.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <algorithm>
#include <filesystem>

namespace poslab {

std::vector<std::string> FollowedRuns::read() const {
  const nlohmann::json j = JsonFile::readObjectIfPresent(path_);
  std::vector<std::string> runs;
  if (!j.contains("runs")) return runs;
  const nlohmann::json& list = j.at("runs");
  if (!list.is_array()) fail(path_, "runs", "is not an array");
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string() || list[i].get<std::string>().empty())
      fail(path_, "runs[" + std::to_string(i) + "]", "is not a folder path");
    runs.push_back(list[i].get<std::string>());
  }
  return runs;
}

void FollowedRuns::add(const std::string& runDir) const {
  std::vector<std::string> runs = read();
  const std::string dir = std::filesystem::absolute(runDir).lexically_normal().string();
  if (std::find(runs.begin(), runs.end(), dir) != runs.end()) return;
  runs.push_back(dir);
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  JsonFile::write(path_, nlohmann::json{{"runs", runs}});
}

} // namespace poslab
