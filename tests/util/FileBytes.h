#pragma once
// A whole file's bytes, for tests that compare outputs byte for byte.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace poslab::test {

inline std::string fileBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace poslab::test
