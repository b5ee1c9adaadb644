#pragma once
// Reads a JSON Lines file line by line, gzip-compressed (".gz") or plain, with
// 1-based line numbers for error messages. zlib's gzread does the inflating.
// A damaged or truncated gzip stream is an error naming the file and the line
// reached: a silently shortened dataset would bias every number computed from it.
#include <cstddef>
#include <string>
#include <vector>

namespace poslab {

class GzipLineReader {
public:
  explicit GzipLineReader(const std::string& path);
  ~GzipLineReader();
  GzipLineReader(const GzipLineReader&) = delete;
  GzipLineReader& operator=(const GzipLineReader&) = delete;

  // The next line without its "\n" (and without a "\r" before it); false at the end.
  bool next(std::string& line);
  // 1-based number of the line next() returned last.
  size_t lineNumber() const { return lineNumber_; }
  // The file's name (no folders), the way error messages name it.
  const std::string& fileName() const { return fileName_; }

private:
  bool fill(); // reads more bytes into buffer_; false at the end of the data

  std::string path_;
  std::string fileName_;
  void* file_ = nullptr; // gzFile
  bool expectGzip_ = false;
  bool eof_ = false;
  std::vector<char> chunk_;
  std::string buffer_;
  size_t bufferPos_ = 0;
  size_t lineNumber_ = 0;
};

} // namespace poslab
