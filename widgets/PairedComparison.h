#pragma once
// A per-position paired test of two runs on the same examples (McNemar, computed in
// core/eval): where run B is significantly better or worse than run A.
#include <QMetaType>
#include <QString>
#include <QVector>

namespace poslab {

struct PairedPositionTest {
  int position = 0;  // 0-based gold index
  double pValue = 1; // two-sided McNemar p-value
  int direction = 0; // +1: run B more often correct, -1: run A, 0: tie
  int onlyA = 0;     // discordant pairs: A right and B wrong
  int onlyB = 0;     //                   B right and A wrong
};

struct PairedComparison {
  QString runA; // labels of the two curves compared (SweepCurve::label)
  QString runB;
  double alpha = 0.05; // positions with pValue < alpha are marked
  QVector<PairedPositionTest> positions;
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::PairedComparison)
