#pragma once
// Wall-clock timestamps for run files ("2026-12-06T18:20:05Z"), one format everywhere.
#include <string>

namespace poslab {

class UtcClock {
public:
  static std::string now();
};

} // namespace poslab
