#pragma once
// Bounds-checked little-endian reader of GGUF's encodings (integers, strings,
// typed metadata values, nested arrays) over a mapped file: GgufFile's parser.
// Every read names the field it is reading, and every string length and array
// count is checked against the bytes left before anything is allocated.
// Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
#include "core/weights/GgufFile.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace poslab {

class GgufReader {
public:
  using Type = GgufValue::Type;

  static constexpr int kMaxArrayDepth = 8;                  // nested arrays deeper than this are refused
  static constexpr uint64_t kMaxArrayElements = 1ull << 22; // all arrays together (~100 bytes each in memory)

  // file: for error messages; data/size: the whole file.
  GgufReader(const std::string& file, const std::byte* data, uint64_t size)
      : file_(file), data_(data), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  template <typename T> T read(const std::string& field) {
    need(sizeof(T), field);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T)); // unaligned-safe
    pos_ += sizeof(T);
    return v;
  }
  std::string readString(const std::string& field); // u64 length + bytes
  Type readType(const std::string& field);          // u32, refused when unknown
  // One value of a known type; arrays recurse (depth counts the nesting).
  GgufValue readValue(Type type, const std::string& field, int depth = 0);

  static const char* typeName(Type t); // "u32", "string", ...
  static bool isUnsigned(Type t) {
    return t == Type::U8 || t == Type::U16 || t == Type::U32 || t == Type::U64;
  }
  static bool isSigned(Type t) { return t == Type::I8 || t == Type::I16 || t == Type::I32 || t == Type::I64; }
  static bool isFloat(Type t) { return t == Type::F32 || t == Type::F64; }
  static bool isInteger(Type t) { return isUnsigned(t) || isSigned(t); }

private:
  void need(uint64_t n, const std::string& field) const;
  void readArray(GgufValue& v, const std::string& field, int depth);

  const std::string& file_;
  const std::byte* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  uint64_t arrayElements_ = 0; // read so far, for kMaxArrayElements
};

} // namespace poslab
