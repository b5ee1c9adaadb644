#pragma once
// The attention results as JSON, in the layout docs/ATTENTION-FORMAT.md
// documents: every array is an object {"axes": [...], "shape": [...], "data":
// nested lists in that shape}, so a reader never has to guess an order.
#include "core/attention/AttentionMassMatrix.h"
#include "core/attention/AttentionProfile.h"
#include "core/attention/TokenAttention.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

class AttentionJson {
public:
  // values row-major in `shape`; axes name each dimension.
  static nlohmann::ordered_json array(const std::vector<float>& values, const std::vector<size_t>& shape,
                                      const std::vector<std::string>& axes);
  static nlohmann::ordered_json profile(const AttentionProfile& p);
  static nlohmann::ordered_json tokens(const TokenAttention& t);
  static nlohmann::ordered_json matrix(const AttentionMassMatrix& m);
  // Compact (one line per top-level key would still be large), invalid UTF-8 replaced; atomic.
  static void write(const std::string& path, const nlohmann::ordered_json& j);
};

} // namespace poslab
