#include "core/train/LrSchedule.h"

#include "core/train/TrainingSettings.h"

#include <cmath>
#include <numbers>

namespace poslab {

LrSchedule::LrSchedule(double lr, double minLrRatio, int64_t warmupSteps, int64_t totalSteps)
    : lr_(lr), minLr_(lr * minLrRatio), warmup_(warmupSteps), total_(totalSteps) {}

LrSchedule::LrSchedule(const TrainingSettings& s)
    : LrSchedule(s.lr, s.minLrRatio, s.warmupSteps, s.totalSteps) {}

double LrSchedule::at(int64_t step) const {
  // nanoGPT: lr * (it + 1) / (warmup_iters + 1), so step 0 already moves the weights.
  if (step < warmup_) return lr_ * static_cast<double>(step + 1) / static_cast<double>(warmup_ + 1);
  if (step >= total_ || total_ <= warmup_) return minLr_;
  const double ratio = static_cast<double>(step - warmup_) / static_cast<double>(total_ - warmup_); // [0, 1)
  const double coeff = 0.5 * (1.0 + std::cos(std::numbers::pi * ratio));                            // 1 -> 0
  return minLr_ + coeff * (lr_ - minLr_);
}

} // namespace poslab
