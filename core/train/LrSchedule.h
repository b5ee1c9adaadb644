#pragma once
// Learning rate per optimizer step: linear warm-up, then cosine decay to
// minLrRatio × lr at totalSteps, then flat (nanoGPT's get_lr, train.py).
#include <cstdint>

namespace poslab {

struct TrainingSettings;

class LrSchedule {
public:
  LrSchedule(double lr, double minLrRatio, int64_t warmupSteps, int64_t totalSteps);
  explicit LrSchedule(const TrainingSettings& settings);

  // step: 0-based index of the optimizer step about to be taken.
  double at(int64_t step) const;

private:
  double lr_, minLr_;
  int64_t warmup_, total_;
};

} // namespace poslab
