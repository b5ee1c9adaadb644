#pragma once
// Where tests find real models/data (../shared) and generated fixtures.
// A missing folder fails the test loudly: a test that silently skips its
// subject is worse than none (STYLE.md rule 8).
#include <QtTest/QtTest>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace poslab::test {

inline std::string envPath(const char* var, const std::string& rel) {
  const char* root = std::getenv(var);
  if (!root) qFatal("%s is not set; run the tests through ctest", var);
  return (std::filesystem::path(root) / rel).string();
}

// A file under ../shared (real models and data).
inline std::string sharedPath(const std::string& rel) {
  return envPath("POSLAB_SHARED", rel);
}
// A file under the build tree's generated fixtures.
inline std::string fixturePath(const std::string& rel) {
  return envPath("POSLAB_FIXTURES", rel);
}
// A file under the checkout's resources/ (the committed demo).
inline std::string resourcePath(const std::string& rel) {
  return envPath("POSLAB_RESOURCES", rel);
}
// A fresh temporary folder unique to this test process.
inline std::string tempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("poslab-test-" + std::to_string(QCoreApplication::applicationPid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

} // namespace poslab::test
