#pragma once
// TensorView -> at::Tensor. Zero-copy (from_blob over the copy-on-write mapping)
// when the stored dtype equals the wanted one and the device is the CPU;
// otherwise converted (F16/BF16/F32 casts, Q8_0 dequantised) into fresh memory.
// Only core/ includes this header (it exposes torch types).
#include "core/weights/TensorView.h"

#include <ATen/ATen.h>
#include <memory>

namespace poslab {

class MappedFile;

// keepAlive: the mapping the view points into; the returned tensor holds it.
at::Tensor loadTensor(const TensorView& view, std::shared_ptr<const MappedFile> keepAlive,
                      at::ScalarType want, const at::Device& device = at::kCPU);

} // namespace poslab
