#pragma once
// The bytes a fuzz target gets, as the file the parser under test opens: every
// parser here reads a path (mapped or streamed), as it does for users' files.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace poslab::fuzz {

// <tmp>/poslab-fuzz-<pid>/, created on first use.
inline std::filesystem::path folder() {
  const auto dir = std::filesystem::temp_directory_path() / ("poslab-fuzz-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// data[0, size) written to <tmp>/poslab-fuzz-<pid>/<name>; returns the path.
inline std::string asFile(const uint8_t* data, size_t size, const std::string& name) {
  const std::filesystem::path path = folder() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path.string();
}

// The input cut at NUL bytes, for targets whose parser reads several files of
// one folder: part i becomes file i. No JSON text holds a raw NUL, so a seed
// is its files joined by "\0"; a part not given means the file is absent.
inline std::vector<std::string_view> parts(const uint8_t* data, size_t size) {
  std::vector<std::string_view> out;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t begin = 0;
  for (size_t nul; (nul = all.find('\0', begin)) != std::string_view::npos; begin = nul + 1)
    out.push_back(all.substr(begin, nul - begin));
  out.push_back(all.substr(begin));
  return out;
}

// Part `index` of `all` as folder()/name, or no such file when the input has
// fewer parts (a file left by the previous input is removed).
inline void partAsFile(const std::vector<std::string_view>& all, size_t index, const std::string& name) {
  if (index < all.size()) {
    asFile(reinterpret_cast<const uint8_t*>(all[index].data()), all[index].size(), name);
  } else {
    std::error_code ec;
    std::filesystem::remove(folder() / name, ec);
  }
}

} // namespace poslab::fuzz
