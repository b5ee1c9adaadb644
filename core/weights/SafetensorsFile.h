#pragma once
// A .safetensors file (Hugging Face's weights format), memory-mapped and fully
// validated on open. Layout: u64 little-endian header length N, N bytes of JSON
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the data region the offsets are relative to.
// Spec: https://github.com/huggingface/safetensors (README, "Format")
#include "core/weights/TensorView.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

class MappedFile;

class SafetensorsFile {
public:
  // Throws poslab::Error naming the file and the tensor or field at fault.
  explicit SafetensorsFile(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& path() const { return path_; }
  // In file order (ascending data offset).
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(std::string_view name) const; // nullptr when absent
  // The optional "__metadata__" object (string -> string).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // Keeps the mapping alive for zero-copy tensors that outlive this object.
  std::shared_ptr<const MappedFile> mapping() const { return file_; }

  // Headers above this are refused before anything is allocated for them.
  static constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

private:
  std::string path_;
  std::shared_ptr<const MappedFile> file_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

} // namespace poslab
