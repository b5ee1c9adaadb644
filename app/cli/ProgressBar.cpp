#include "app/cli/ProgressBar.h"

#include <cmath>
#include <cstdio>
#include <ostream>
#include <unistd.h>

namespace poslab::cli {

ProgressBar::ProgressBar(std::ostream& out) : out_(out), interactive_(::isatty(STDERR_FILENO) != 0) {}

std::string ProgressBar::formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

void ProgressBar::update(int64_t done, int64_t total, double etaSeconds, const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = done >= total;
  if (interactive_) {
    if (!last && drawn_ && now - lastDraw_ < std::chrono::milliseconds(100)) return;
  } else {
    const int64_t every = std::max<int64_t>(1, total / 20);
    if (!last && done % every != 0) return;
    if (done == lastPrinted_) return;
  }
  constexpr int kWidth = 24;
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>' + std::string(static_cast<size_t>(kWidth - filled - 1), ' ');
  const std::string counter = std::to_string(done) + "/" + std::to_string(total);
  const std::string line = "[" + bar + "] " + counter + "  " + detail + "  ETA " + formatDuration(etaSeconds);
  if (interactive_)
    out_ << "\r" << line << "\033[K" << std::flush; // \033[K: clear what a longer previous line left
  else
    out_ << line << '\n' << std::flush;
  drawn_ = true;
  lastDraw_ = now;
  lastPrinted_ = done;
}

void ProgressBar::finish() {
  if (interactive_ && drawn_) out_ << '\n' << std::flush;
  drawn_ = false;
}

} // namespace poslab::cli
