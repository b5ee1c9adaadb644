#include "core/data/GzipLineReader.h"

#include "core/util/Error.h"

#include <filesystem>
#include <zlib.h>

namespace poslab {

namespace {
constexpr size_t kChunk = 1 << 16;
gzFile asGz(void* f) {
  return static_cast<gzFile>(f);
}
} // namespace

GzipLineReader::GzipLineReader(const std::string& path)
    : path_(path), fileName_(std::filesystem::path(path).filename().string()), chunk_(kChunk) {
  expectGzip_ = std::filesystem::path(path).extension() == ".gz";
  if (!std::filesystem::is_regular_file(path)) fail(fileName_, "", "no such file: " + path);
  file_ = gzopen(path.c_str(), "rb");
  if (!file_) fail(fileName_, "", "cannot open " + path);
  gzbuffer(asGz(file_), 1 << 18);
}

GzipLineReader::~GzipLineReader() {
  if (file_) gzclose(asGz(file_));
}

bool GzipLineReader::fill() {
  if (eof_) return false;
  const int got = gzread(asGz(file_), chunk_.data(), static_cast<unsigned>(chunk_.size()));
  const std::string at = "line " + std::to_string(lineNumber_ + 1);
  int err = Z_OK;
  const char* msg = gzerror(asGz(file_), &err);
  if (got < 0 || (err != Z_OK && err != Z_BUF_ERROR))
    fail(fileName_, at, std::string("corrupt gzip data (") + (msg ? msg : "unknown zlib error") + ")");
  if (expectGzip_ && got > 0 && gzdirect(asGz(file_)))
    fail(fileName_, "", "not a gzip file (the name ends in .gz but the data is not compressed)");
  if (got == 0) {
    // gzread reports a stream cut short only through gzerror, as Z_BUF_ERROR.
    if (err == Z_BUF_ERROR)
      fail(fileName_, at, "truncated gzip file (unexpected end of the compressed data)");
    eof_ = true;
    return false;
  }
  buffer_.erase(0, bufferPos_);
  bufferPos_ = 0;
  buffer_.append(chunk_.data(), static_cast<size_t>(got));
  return true;
}

bool GzipLineReader::next(std::string& line) {
  for (;;) {
    const size_t nl = buffer_.find('\n', bufferPos_);
    if (nl != std::string::npos) {
      line.assign(buffer_, bufferPos_, nl - bufferPos_);
      bufferPos_ = nl + 1;
      break;
    }
    if (!fill()) {
      if (bufferPos_ >= buffer_.size()) return false;
      line.assign(buffer_, bufferPos_, std::string::npos); // a last line without "\n"
      bufferPos_ = buffer_.size();
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++lineNumber_;
  return true;
}

} // namespace poslab
