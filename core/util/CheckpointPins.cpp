#include "core/util/CheckpointPins.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <filesystem>

namespace poslab {

std::string CheckpointPins::path(const std::string& runDir) {
  return (std::filesystem::path(runDir) / "checkpoints" / "pins.json").string();
}

std::set<std::string> CheckpointPins::read(const std::string& runDir) {
  const std::string file = path(runDir);
  const nlohmann::json j = JsonFile::readObjectIfPresent(file);
  std::set<std::string> names;
  auto it = j.find("pinned");
  if (it == j.end()) return names;
  if (!it->is_array()) fail(file, "pinned", "is not a list of checkpoint folder names");
  for (const auto& v : *it) {
    if (!v.is_string()) fail(file, "pinned", "holds a " + std::string(v.type_name()) + ", not a folder name");
    const std::string name = v.get<std::string>();
    // A name is a folder inside checkpoints/, never a path out of it.
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      fail(file, "pinned", "'" + name + "' is not a checkpoint folder name");
    names.insert(name);
  }
  return names;
}

void CheckpointPins::set(const std::string& runDir, const std::string& name, bool pinned) {
  std::set<std::string> names = read(runDir);
  if (pinned)
    names.insert(name);
  else
    names.erase(name);
  JsonFile::write(path(runDir), nlohmann::json{{"pinned", names}});
}

} // namespace poslab
