#pragma once
// The bytes a fuzz target gets, as the file the parser under test opens: every
// parser here reads a path (mapped or streamed), as it does for users' files.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace poslab::fuzz {

// data[0, size) written to <tmp>/poslab-fuzz-<pid>/<name>; returns the path.
inline std::string asFile(const uint8_t* data, size_t size, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("poslab-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

} // namespace poslab::fuzz
