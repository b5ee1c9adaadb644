#pragma once
// The wording of progress lines, one way in every view: durations as "4m05s" or
// "1h02m", and the time left at the rate so far ("–" until there is a rate).
#include <QString>

namespace poslab {

class ProgressText {
public:
  static QString clock(double seconds);
  // Time left for `total` units when `done` took `elapsedSeconds`.
  static QString eta(double done, double total, double elapsedSeconds);
};

} // namespace poslab
