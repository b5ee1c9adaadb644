#include "core/weights/TensorLoader.h"

#include "core/util/Error.h"
#include "core/weights/MappedFile.h"

#include <c10/util/Half.h>
#include <cstring>

namespace poslab {

namespace {

at::ScalarType scalarTypeOf(const TensorView& view) {
  switch (view.dtype) {
  case DType::F32:
    return at::kFloat;
  case DType::F16:
    return at::kHalf;
  case DType::BF16:
    return at::kBFloat16;
  case DType::F64:
    return at::kDouble;
  case DType::I8:
    return at::kChar;
  case DType::I16:
    return at::kShort;
  case DType::I32:
    return at::kInt;
  case DType::I64:
    return at::kLong;
  case DType::U8:
    return at::kByte;
  case DType::Bool:
    return at::kBool;
  case DType::Q8_0:
    break;
  }
  fail(view.file, "tensor '" + view.name + "'", std::string("no torch type for ") + dtypeName(view.dtype));
}

// ggml's dequantize_row_q8_0: each block of 32 values along the innermost dim is
// one f16 scale d then 32 int8 q, and value = d * q (computed in fp32).
at::Tensor dequantizeQ8_0(const TensorView& view) {
  auto out = at::empty(view.shape, at::TensorOptions().dtype(at::kFloat)); // [..., ne0]
  float* y = out.data_ptr<float>();
  const uint64_t blocks = view.nbytes / kQ8_0BlockBytes;
  const std::byte* block = view.data;
  for (uint64_t b = 0; b < blocks; ++b, block += kQ8_0BlockBytes) {
    uint16_t bits = 0;
    std::memcpy(&bits, block, 2); // unaligned-safe
    const float d = static_cast<float>(c10::Half(bits, c10::Half::from_bits()));
    const auto* q = reinterpret_cast<const int8_t*>(block + 2);
    for (int64_t j = 0; j < kQ8_0BlockElements; ++j)
      *y++ = d * static_cast<float>(q[j]);
  }
  return out;
}

} // namespace

at::Tensor loadTensor(const TensorView& view, std::shared_ptr<const MappedFile> keepAlive,
                      at::ScalarType want, const at::Device& device) {
  const std::string field = "tensor '" + view.name + "'";
  for (int64_t d : view.shape)
    if (d < 0) fail(view.file, field, "negative dim " + std::to_string(d));
  uint64_t expected = 0;
  if (!storageBytes(view.dtype, static_cast<uint64_t>(view.numel()), expected) || expected != view.nbytes)
    fail(view.file, field, "shape and byte size disagree (" + std::to_string(view.nbytes) + " bytes)");
  if (view.nbytes > 0 && !view.data) fail(view.file, field, "no data");
  const auto options = at::TensorOptions().dtype(want).device(device);
  if (view.numel() == 0) return at::empty(view.shape, options);

  if (view.dtype == DType::Q8_0) return dequantizeQ8_0(view).to(options);

  const at::ScalarType stored = scalarTypeOf(view);
  const auto storedOptions = at::TensorOptions().dtype(stored);
  const bool aligned = reinterpret_cast<uintptr_t>(view.data) % elementSize(view.dtype) == 0;
  // The mapping is MAP_PRIVATE and writable (MappedFile.h): writes through the
  // tensor land in private pages, so dropping const here cannot reach the file.
  void* bytes = const_cast<std::byte*>(view.data);

  // Bool is excluded: a byte other than 0/1 read as torch bool is undefined; it
  // is normalised through U8 below instead.
  if (aligned && keepAlive && stored == want && device.is_cpu() && view.dtype != DType::Bool) {
    auto holdMapping = [keepAlive](void*) {}; // freed with the tensor's storage, releasing the mapping
    return at::from_blob(bytes, view.shape, holdMapping, storedOptions);
  }

  at::Tensor source;
  if (view.dtype == DType::Bool) {
    source = at::empty(view.shape, at::TensorOptions().dtype(at::kByte));
    std::memcpy(source.data_ptr(), view.data, view.nbytes);
    source = source.ne(0);
  } else if (aligned) {
    source = at::from_blob(bytes, view.shape, storedOptions); // borrowed only for the copy below
  } else {
    source = at::empty(view.shape, storedOptions);
    std::memcpy(source.data_ptr(), view.data, view.nbytes);
  }
  at::Tensor result = source.to(options);
  // .to() returns its input when nothing changes; never hand out borrowed memory.
  if (result.data_ptr() == bytes) result = result.clone();
  return result;
}

} // namespace poslab
