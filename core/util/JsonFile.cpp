#include "core/util/JsonFile.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <filesystem>
#include <fstream>

namespace poslab {

nlohmann::json JsonFile::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "", "cannot open");
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(path, "", std::string("not valid JSON (") + e.what() + ")");
  }
}

nlohmann::json JsonFile::readObject(const std::string& path) {
  nlohmann::json j = read(path);
  if (!j.is_object()) fail(path, "", "expected a JSON object at the top level");
  return j;
}

nlohmann::json JsonFile::readObjectIfPresent(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nlohmann::json::object();
  return readObject(path);
}

void JsonFile::write(const std::string& path, const nlohmann::json& j) {
  AtomicFile::writeText(path, j.dump(2) + "\n");
}

void JsonFile::write(const std::string& path, const nlohmann::ordered_json& j) {
  AtomicFile::writeText(path, j.dump(2) + "\n");
}

} // namespace poslab
