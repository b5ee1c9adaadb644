#pragma once
// What a before/after view shows, checked against the two sweep folders it
// compares (baseRun(), afterRun()): each curve's points are its folder's
// summary.json, the table's mean and worst rows their mean and minimum, and the
// stars core's paired test of the two folders' examples. QVERIFY's failures
// return from here: the caller checks QTest::currentTestFailed().
#include "app/gui/BeforeAfterView.h"
#include "core/sweep/SweepComparison.h"
#include "widgets/SweepPlot.h"

#include <QDir>
#include <QTableWidget>
#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace poslab::test {

inline void verifyBeforeAfter(BeforeAfterView* view, const QString& afterLabel, qsizetype positions) {
  const auto summary = [](const QString& dir) {
    std::ifstream in(QDir(dir).filePath("summary.json").toStdString());
    return nlohmann::json::parse(in);
  };
  const auto base = summary(view->baseRun()), after = summary(view->afterRun());
  view->plot()->replotNow();
  double means[2] = {0, 0}, worst[2] = {1, 1};
  int i = 0;
  for (const auto& [label, s] : {std::pair{QString("base (step 0)"), base}, std::pair{afterLabel, after}}) {
    const QVector<QPointF> drawn = view->plot()->drawnAccuracy(label);
    QCOMPARE(qsizetype(s["positions"].size()), positions);
    QCOMPARE(drawn.size(), positions);
    for (const auto& p : s["positions"]) {
      const double a = p["accuracy"].get<double>();
      means[i] += a / static_cast<double>(s["positions"].size());
      worst[i] = std::min(worst[i], a);
      const bool found = std::any_of(drawn.begin(), drawn.end(), [&](const QPointF& d) {
        return std::abs(d.y() - 100 * a) < 1e-9 && std::abs(d.x() - (p["position"].get<double>() + 1)) < 0.3;
      });
      QVERIFY2(found, qPrintable(label));
    }
    ++i;
  }
  QTableWidget* table = view->summaryTable();
  QCOMPARE(table->item(0, 0)->text(), QString::number(100 * means[0], 'f', 1) + " %");
  QCOMPARE(table->item(0, 1)->text(), QString::number(100 * means[1], 'f', 1) + " %");
  QCOMPARE(table->item(1, 0)->text(), QString::number(100 * worst[0], 'f', 1) + " %");
  QCOMPARE(table->item(1, 1)->text(), QString::number(100 * worst[1], 'f', 1) + " %");
  const SweepComparison want =
      SweepComparison::ofRuns(view->baseRun().toStdString(), view->afterRun().toStdString());
  QCOMPARE(view->comparison().runB, afterLabel);
  qsizetype compared = 0;
  for (const PositionComparison& row : want.rows) {
    if (!row.position) continue; // baselines: no position to star
    const auto& shownRows = view->comparison().positions;
    const auto it = std::find_if(shownRows.begin(), shownRows.end(), [&](const PairedPositionTest& t) {
      return t.position == static_cast<int>(*row.position);
    });
    QVERIFY(it != shownRows.end());
    QCOMPARE(it->pValue, row.test.pValue);
    QCOMPARE(it->onlyA, static_cast<int>(row.test.b));
    QCOMPARE(it->onlyB, static_cast<int>(row.test.c));
    ++compared;
  }
  QCOMPARE(compared, positions);
}

} // namespace poslab::test
