#pragma once
// A GGUF v2/v3 file (ggml's single-file model format), memory-mapped and fully
// validated on open: every metadata length and count, every tensor's dims, type,
// offset and size is checked against the file before anything is allocated.
// Spec: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
#include "core/weights/TensorView.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

class MappedFile;

// One metadata value. Arrays keep their element type; nested arrays are allowed.
struct GgufValue {
  enum class Type : uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
  };
  Type type = Type::U8;
  uint64_t u = 0;              // unsigned ints and bool
  int64_t i = 0;               // signed ints
  double f = 0;                // floats
  std::string s;               // String
  Type elementType = Type::U8; // Array
  std::vector<GgufValue> array;
};

class GgufFile {
public:
  explicit GgufFile(const std::string& path); // throws poslab::Error naming the file and field
  ~GgufFile();
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }

  bool has(std::string_view key) const;
  const GgufValue* find(std::string_view key) const; // nullptr when absent
  std::vector<std::string> keys() const;

  // Typed accessors: throw "<file>: <key>: missing" / "...: expected <type>, found <type>".
  // Any integer type converts to integer(); any int or float converts to number().
  std::string string(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  std::vector<std::string> strings(std::string_view key) const;
  std::vector<float> floats(std::string_view key) const;
  std::vector<int64_t> integers(std::string_view key) const;

  // Tensors with row-major shapes (ne reversed) pointing into the mapping.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* findTensor(std::string_view name) const;

  // Keeps the mapping alive for zero-copy tensors that outlive this object.
  std::shared_ptr<const MappedFile> mapping() const { return file_; }

private:
  std::string path_;
  uint32_t version_ = 0;
  std::shared_ptr<const MappedFile> file_;
  std::vector<std::pair<std::string, GgufValue>> metadata_;
  std::vector<TensorView> tensors_;
};

} // namespace poslab
