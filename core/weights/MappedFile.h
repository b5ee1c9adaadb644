#pragma once
// A read-only weights file mapped into memory, copy-on-write (MAP_PRIVATE with
// PROT_READ|PROT_WRITE): tensors made zero-copy over the mapping may later be
// trained in place, and those writes land in private pages, never in the file.
#include <cstddef>
#include <string>

namespace poslab {

class MappedFile {
public:
  // Throws poslab::Error naming the file when it cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Writable because the pages are private copies (see above); the file never changes.
  std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

private:
  std::string path_;
  std::byte* data_ = nullptr; // nullptr for an empty file
  size_t size_ = 0;
};

} // namespace poslab
