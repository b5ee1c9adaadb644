#include "core/util/Error.h"

namespace poslab {

void fail(const std::string& file, const std::string& field, const std::string& detail) {
  std::string msg;
  msg += file;
  if (!field.empty()) msg += (msg.empty() ? "" : ": ") + field;
  if (!detail.empty()) msg += (msg.empty() ? "" : ": ") + detail;
  throw Error(msg);
}

} // namespace poslab
