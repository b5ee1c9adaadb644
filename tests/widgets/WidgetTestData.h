#pragma once
// Plain data for the widget tests and the gallery, shaped like real results: a
// U-shaped accuracy curve interpolated from METHOD.md's reference numbers, Wilson
// intervals, a sink-heavy attention grid. Numbers between the papers' five
// reference positions are interpolated, not measured.
#include "widgets/AttentionGrid.h"
#include "widgets/AttentionMassMatrix.h"
#include "widgets/DepthGrid.h"
#include "widgets/DocumentStripItem.h"
#include "widgets/PairedComparison.h"
#include "widgets/PlacementDetails.h"
#include "widgets/SweepCurve.h"

#include <QVector>
#include <cmath>

namespace poslab::testdata {

// Wilson score interval, 95 % (z = 1.96).
inline std::pair<double, double> wilson(int correct, int n) {
  const double z = 1.959963984540054, p = double(correct) / n;
  const double denom = 1 + z * z / n;
  const double centre = (p + z * z / (2.0 * n)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denom;
  return {centre - half, centre + half};
}

inline SweepPoint point(int position, int n, int correct, std::optional<double> logprob = std::nullopt) {
  SweepPoint p;
  p.position = position;
  p.n = n;
  p.correct = correct;
  p.accuracy = double(correct) / n;
  std::tie(p.ciLow, p.ciHigh) = wilson(correct, n);
  p.meanAnswerLogprob = logprob;
  return p;
}

// 20 positions through the reference accuracies (in %) at gold 1/5/10/15/20.
inline SweepCurve curveFrom(const QString& label, const double (&reference)[5], int n, bool logprobs) {
  const int anchors[5] = {0, 4, 9, 14, 19};
  SweepCurve curve;
  curve.label = label;
  for (int pos = 0; pos < 20; ++pos) {
    int k = 0;
    while (k < 3 && pos > anchors[k + 1])
      ++k;
    const double t = double(pos - anchors[k]) / (anchors[k + 1] - anchors[k]);
    const double accuracy = (reference[k] + t * (reference[k + 1] - reference[k])) / 100;
    const int correct = int(std::lround(accuracy * n));
    curve.points << point(pos, n, correct,
                          logprobs ? std::optional<double>(-0.4 - 2.2 * (1 - accuracy)) : std::nullopt);
  }
  return curve;
}

// GPT-3.5-Turbo, 20 documents (Liu et al.), with its closed-book and oracle accuracies.
inline SweepCurve gpt35Curve(int n = 500) {
  static const double reference[5] = {75.8, 57.2, 53.8, 55.4, 63.2};
  SweepCurve curve = curveFrom(QStringLiteral("GPT-3.5-Turbo"), reference, n, true);
  curve.closedBook = point(0, n, int(std::lround(0.561 * n)));
  curve.oracle = point(0, n, int(std::lround(0.883 * n)));
  return curve;
}

// Mistral-7B-Instruct-v0.3 on NQ before and after Pos2Distill (Wang, Xiong et al.).
inline SweepCurve mistralBase(int n = 500) {
  static const double reference[5] = {72.5, 62.3, 60.7, 63.9, 64.9};
  return curveFrom(QStringLiteral("Mistral-7B base"), reference, n, true);
}
inline SweepCurve mistralPos2Distill(int n = 500) {
  static const double reference[5] = {70.5, 70.7, 71.3, 71.9, 73.3};
  return curveFrom(QStringLiteral("Mistral-7B Pos2Distill"), reference, n, true);
}

// p < 0.05 where the fine-tuned run is more than 5 points better (shape only).
inline PairedComparison comparison(const SweepCurve& a, const SweepCurve& b) {
  PairedComparison c;
  c.runA = a.label;
  c.runB = b.label;
  for (int i = 0; i < a.points.size(); ++i) {
    PairedPositionTest t;
    t.position = a.points[i].position;
    const int diff = b.points[i].correct - a.points[i].correct;
    t.onlyB = std::max(0, diff) + 20;
    t.onlyA = std::max(0, -diff) + 20;
    t.direction = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    t.pValue = std::abs(diff) > 25 ? 0.004 : 0.4;
    c.positions << t;
  }
  return c;
}

// A sink-heavy grid: most attention on the first tokens, the rest spread with a
// primacy/recency tilt and a bump on the gold document in the middle layers.
inline AttentionGrid sinkHeavyGrid(int layers = 16, int heads = 8, int documents = 20, int gold = 9) {
  AttentionGrid g;
  g.layers = layers;
  g.heads = heads;
  g.documents = documents;
  g.goldIndex = gold;
  for (int d = 0; d < documents; ++d)
    g.documentLabels << QStringLiteral("Document title %1").arg(d + 1);
  for (int l = 0; l < layers; ++l) {
    const float sink = l < 2 ? 0.25f : 0.75f + 0.01f * (l % 5);
    g.sinkShare << sink;
    for (int h = 0; h < heads; ++h)
      for (int d = 0; d < documents; ++d) {
        const double edge = 1.0 + 1.5 * std::exp(-d / 2.0) + 1.0 * std::exp(-(documents - 1 - d) / 2.0);
        const double goldBump = d == gold && l > layers / 4 && l < 3 * layers / 4 ? 3.0 + h % 3 : 0.0;
        g.mass << float((1 - sink) * (edge + goldBump) / (documents * 1.6 + 4) *
                        (0.8 + 0.05 * ((h * 7 + d) % 9)));
      }
  }
  return g;
}

inline AttentionMassMatrix massMatrix(int documents = 20) {
  AttentionMassMatrix m;
  m.documents = documents;
  m.goldPositions = documents;
  m.description = QStringLiteral("last token, mean of layers and heads");
  for (int g = 0; g < documents; ++g)
    for (int d = 0; d < documents; ++d) {
      const double edge = 0.02 + 0.05 * std::exp(-d / 2.0) + 0.03 * std::exp(-(documents - 1 - d) / 2.0);
      const double goldShare =
          d == g ? 0.06 * (0.5 + 0.5 * std::abs(g - documents / 2.0) / (documents / 2.0)) : 0;
      m.mass << float(edge + goldShare);
    }
  return m;
}

inline DepthGrid depthGrid() {
  DepthGrid grid;
  grid.documentCounts = {10, 20, 30};
  grid.maxPositions = 30;
  grid.cells.resize(3 * 30);
  for (int c = 0; c < 3; ++c) {
    const int k = grid.documentCounts[c];
    for (int p = 0; p < k; ++p) {
      const double x = double(p) / (k - 1);
      const double acc = 0.55 + 0.22 * std::pow(2 * x - 1, 2) - 0.04 * c + (x < 0.1 ? 0.05 : 0);
      DepthCell& cell = grid.cells[c * 30 + p];
      cell.n = 200;
      cell.correct = int(std::lround(acc * 200));
      cell.accuracy = cell.correct / 200.0;
    }
  }
  return grid;
}

inline QVector<DocumentStripItem> documents(int count = 20, int gold = 9) {
  QVector<DocumentStripItem> items;
  for (int d = 0; d < count; ++d)
    items << DocumentStripItem{QStringLiteral("Document title %1").arg(d + 1), 90 + (d * 37) % 80, d == gold};
  return items;
}

inline PlacementDetails placement(int gold = 9, bool correct = false) {
  PlacementDetails p;
  p.example = 17;
  p.goldPosition = gold;
  p.question = QStringLiteral("who got the first nobel prize in physics");
  p.goldAnswers = {QStringLiteral("Wilhelm Conrad Röntgen")};
  p.prediction = correct ? QStringLiteral("Wilhelm Röntgen") : QStringLiteral("Albert Einstein");
  p.correct = correct;
  p.answerLogprob = correct ? -0.41 : -2.7;
  p.promptTokens = 3120;
  p.documents = documents(20, gold);
  p.attention = sinkHeavyGrid(16, 8, 20, gold);
  return p;
}

} // namespace poslab::testdata
