#pragma once
// "[4096, 32]": a tensor shape as error messages print it.
#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

std::string shapeText(const std::vector<int64_t>& shape);

} // namespace poslab
