#pragma once
// A tensor as it lies in a mapped weights file: no copy, no torch. The file
// readers (SafetensorsFile, GgufFile) produce these after validating every
// header field; TensorLoader turns one into an at::Tensor.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

enum class DType {
  F32,
  F16,
  BF16,
  F64,
  I8,
  I16,
  I32,
  I64,
  U8,
  Bool,
  Q8_0, // GGUF: blocks of 32 int8 with one f16 scale (34 bytes a block)
};

const char* dtypeName(DType dtype);

// Bytes per element of a plain dtype (F64: 8, ..., Bool: 1). Q8_0 is stored in
// blocks, not elements: it returns 0 there; use storageBytes().
size_t elementSize(DType dtype);

// Q8_0's block (ggml's block_q8_0): one f16 scale then 32 int8 values.
inline constexpr int64_t kQ8_0BlockElements = 32;
inline constexpr uint64_t kQ8_0BlockBytes = 2 + 32;

// Bytes that numel elements of dtype occupy in a file, or false when the product
// overflows uint64 (or, for Q8_0, numel is not a whole number of blocks).
bool storageBytes(DType dtype, uint64_t numel, uint64_t& bytes);

struct TensorView {
  std::string name;                // as stored in the file
  DType dtype = DType::F32;        //
  std::vector<int64_t> shape;      // row-major, outermost first (PyTorch order; GGUF's ne reversed)
  const std::byte* data = nullptr; // into the mapping, valid while the owning file object lives
  uint64_t nbytes = 0;             //
  std::string file;                // the file it came from, for error messages

  int64_t numel() const;
};

} // namespace poslab
