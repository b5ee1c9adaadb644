#pragma once
// A one-line progress bar with ETA on stderr for long CLI jobs. On a terminal
// the line is redrawn in place (at most ~10 times a second); when stderr is a
// file or a pipe (cluster logs) a plain line is printed every ~5 % instead.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace poslab::cli {

class ProgressBar {
public:
  explicit ProgressBar(std::ostream& out);
  // done of total; `detail` follows the bar (e.g. "loss 2.31  lr 3.0e-04").
  void update(int64_t done, int64_t total, double etaSeconds, const std::string& detail);
  // Ends the in-place line so later output starts on a fresh one.
  void finish();

  static std::string formatDuration(double seconds); // "1:02:03", "4:05"

private:
  std::ostream& out_;
  bool interactive_;
  bool drawn_ = false;
  int64_t lastPrinted_ = -1;
  std::chrono::steady_clock::time_point lastDraw_{};
};

} // namespace poslab::cli
