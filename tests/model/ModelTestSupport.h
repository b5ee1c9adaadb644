#pragma once
// Golden data written by tests/reference/make_fixtures.py: token ids and the
// reference's fp32 logits for each fixture model.
#include "core/weights/SafetensorsFile.h"
#include "core/weights/TensorLoader.h"
#include "tests/util/TestPaths.h"

#include <ATen/ATen.h>
#include <string>

namespace poslab::test {

class Golden {
public:
  explicit Golden(const std::string& fixture) : file_(fixturePath(fixture + "/golden.safetensors")) {}
  at::Tensor get(const std::string& name) const {
    const TensorView* v = file_.find(name);
    if (!v) qFatal("golden tensor %s missing", name.c_str());
    return loadTensor(*v, file_.mapping(), v->dtype == DType::I64 ? at::kLong : at::kFloat).clone();
  }

private:
  SafetensorsFile file_;
};

inline double maxAbsDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
}

} // namespace poslab::test
