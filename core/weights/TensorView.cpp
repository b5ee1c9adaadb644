#include "core/weights/TensorView.h"

#include "core/weights/ShapeText.h"

namespace poslab {

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

const char* dtypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "F32";
  case DType::F16:
    return "F16";
  case DType::BF16:
    return "BF16";
  case DType::F64:
    return "F64";
  case DType::I8:
    return "I8";
  case DType::I16:
    return "I16";
  case DType::I32:
    return "I32";
  case DType::I64:
    return "I64";
  case DType::U8:
    return "U8";
  case DType::Bool:
    return "BOOL";
  case DType::Q8_0:
    return "Q8_0";
  }
  return "?";
}

size_t elementSize(DType dtype) {
  switch (dtype) {
  case DType::F64:
  case DType::I64:
    return 8;
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
  case DType::I16:
    return 2;
  case DType::I8:
  case DType::U8:
  case DType::Bool:
    return 1;
  case DType::Q8_0:
    return 0;
  }
  return 0;
}

bool storageBytes(DType dtype, uint64_t numel, uint64_t& bytes) {
  if (dtype == DType::Q8_0) {
    if (numel % kQ8_0BlockElements != 0) return false;
    return !__builtin_mul_overflow(numel / kQ8_0BlockElements, kQ8_0BlockBytes, &bytes);
  }
  return !__builtin_mul_overflow(numel, static_cast<uint64_t>(elementSize(dtype)), &bytes);
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

} // namespace poslab
