#pragma once
// One held-out evaluation during training for EvalCurvesPlot: accuracy at
// each evaluated gold position after `step` optimizer steps (0 = the base).
#include <QVector>

namespace poslab {

struct EvalCurve {
  long long step = 0;
  QVector<int> positions;   // 0-based gold positions
  QVector<double> accuracy; // 0..1, one per position
  QVector<long long> n;     // examples per position
};

} // namespace poslab
