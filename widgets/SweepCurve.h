#pragma once
// One run's accuracy per gold position, as summary.json's "positions" rows hold it
// (DESIGN.md, "Sweep results"). Plain values: app/ fills it from core's SweepResult
// or from a summary.json; the sweep plot draws it.
#include <QMetaType>
#include <QString>
#include <QVector>
#include <optional>

namespace poslab {

// One "positions" row, or a baseline (closed-book / oracle: the same fields, no position).
struct SweepPoint {
  int position = 0; // 0-based gold index, as in summary.json; the plot labels it 1-based
  int n = 0;        // examples scored at this position
  int correct = 0;
  double accuracy = 0; // correct / n
  double ciLow = 0;    // Wilson 95 % interval (METHOD.md), fractions like accuracy
  double ciHigh = 0;
  std::optional<double> meanAnswerLogprob; // absent when the run did not record it
};

struct SweepCurve {
  QString label;              // the run's name in the legend, unique per plot ("base", "Pos2Distill")
  QVector<SweepPoint> points; // any order; one per position
  std::optional<SweepPoint> closedBook;
  std::optional<SweepPoint> oracle;
  bool hopPairs = false; // a two-hop sweep: position p is the hop pair's place (hop 1 at p, hop 2 at p + 1)
};

} // namespace poslab

Q_DECLARE_METATYPE(poslab::SweepCurve)
