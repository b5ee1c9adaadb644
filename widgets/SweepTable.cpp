#include "widgets/SweepTable.h"

#include <algorithm>

namespace poslab {

namespace {

QString percent(double fraction) {
  return QString::number(fraction * 100, 'f', 1);
}

} // namespace

std::vector<SweepPoint> SweepTable::sortedPoints(const SweepCurve& curve) {
  std::vector<SweepPoint> points(curve.points.begin(), curve.points.end());
  std::sort(points.begin(), points.end(),
            [](const SweepPoint& a, const SweepPoint& b) { return a.position < b.position; });
  return points;
}

const SweepPoint* SweepTable::pointAt(const SweepCurve& curve, int position) {
  for (const SweepPoint& p : curve.points)
    if (p.position == position) return &p;
  return nullptr;
}

PlotData SweepTable::plotData(const std::vector<const SweepCurve*>& curves,
                              const std::optional<PairedComparison>& comparison) {
  PlotData table;
  table.name = QStringLiteral("sweep");
  table.description = QStringLiteral("Accuracy per gold position (1-based) with Wilson 95% intervals, "
                                     "baselines, and McNemar p-values of the compared runs");
  table.columns = {"run",     "kind",     "position",
                   "n",       "correct",  "accuracy",
                   "ci_low",  "ci_high",  "mean_answer_logprob",
                   "p_value", "direction"};
  const auto row = [&](const QString& run, const QString& kind, QVariant position, const SweepPoint& p) {
    table.rows.push_back({run, kind, position, p.n, p.correct, p.accuracy, p.ciLow, p.ciHigh,
                          p.meanAnswerLogprob ? QVariant(*p.meanAnswerLogprob) : QVariant(), QVariant(),
                          QVariant()});
  };
  for (const SweepCurve* curve : curves) {
    for (const SweepPoint& p : sortedPoints(*curve))
      row(curve->label, "position", p.position + 1, p);
    if (curve->closedBook) row(curve->label, "closed_book", QVariant(), *curve->closedBook);
    if (curve->oracle) row(curve->label, "oracle", QVariant(), *curve->oracle);
  }
  if (comparison)
    for (const PairedPositionTest& test : comparison->positions)
      table.rows.push_back({QStringLiteral("%1 vs %2").arg(comparison->runB, comparison->runA), "mcnemar",
                            test.position + 1, QVariant(), QVariant(), QVariant(), QVariant(), QVariant(),
                            QVariant(), test.pValue, test.direction});
  return table;
}

QString SweepTable::positionSummary(int position, const std::vector<ShownCurve>& curves,
                                    const std::optional<PairedComparison>& comparison) {
  QStringList lines;
  for (const ShownCurve& shown : curves) {
    const SweepPoint* p = pointAt(*shown.curve, position);
    if (!p) continue;
    QString line = tr("<span style='color:%1'>■</span> %2: %3 % (95 % CI %4–%5), %6/%7 correct")
                       .arg(shown.color.name(), shown.curve->label.toHtmlEscaped(), percent(p->accuracy),
                            percent(p->ciLow), percent(p->ciHigh))
                       .arg(p->correct)
                       .arg(p->n);
    if (p->meanAnswerLogprob) line += tr(", mean answer log-prob %1").arg(*p->meanAnswerLogprob, 0, 'f', 3);
    lines << line;
  }
  if (lines.isEmpty()) return {};
  if (comparison)
    for (const PairedPositionTest& test : comparison->positions)
      if (test.position == position)
        lines << tr("McNemar %1 vs %2: p = %3 (%4 vs %5 discordant pairs)")
                     .arg(comparison->runB.toHtmlEscaped(), comparison->runA.toHtmlEscaped())
                     .arg(test.pValue, 0, 'g', 3)
                     .arg(test.onlyB)
                     .arg(test.onlyA);
  lines.prepend(tr("<b>Gold at position %1</b>").arg(position + 1));
  return lines.join(QStringLiteral("<br>"));
}

} // namespace poslab
