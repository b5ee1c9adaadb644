// The sweep plot holds exactly the numbers it is given (points, Wilson error bars,
// baselines, log-probs, McNemar stars), hides a run when toggled, and coalesces a
// burst of live updates into one redraw.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/SweepPlot.h"

#include <QCheckBox>
#include <QSignalSpy>
#include <QtTest/QtTest>

using namespace poslab;

class TestSweepPlot : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void holdsExactlyTheGivenCurve_data();
  void holdsExactlyTheGivenCurve();
  void baselinesAreDrawnWhereGiven_data();
  void baselinesAreDrawnWhereGiven();
  void severalRunsAreDodgedNotChanged();
  void settingACurveAgainReplacesIt();
  void togglingARunHidesIt();
  void legendClickTogglesTheRun();
  void emptyPlotKeepsItsWidth();
  void emptyAxisSpansTheDatasetPositions();
  void significantPositionsAreStarred();
  void logprobPanelOnlyWithLogprobs();
  void noAccuracyLabelAboveHundred();
  void burstOfUpdatesCoalescesIntoOneReplot();
  void updatePointReplacesOnePosition();
  void plotDataHasEveryNumber();
};

void TestSweepPlot::holdsExactlyTheGivenCurve_data() {
  QTest::addColumn<int>("n");
  QTest::addColumn<bool>("logprobs");
  QTest::newRow("500 examples") << 500 << true;
  QTest::newRow("37 examples, no log-probs") << 37 << false;
}

void TestSweepPlot::holdsExactlyTheGivenCurve() {
  QFETCH(int, n);
  QFETCH(bool, logprobs);
  SweepCurve curve = testdata::gpt35Curve(n);
  if (!logprobs)
    for (SweepPoint& p : curve.points)
      p.meanAnswerLogprob.reset();
  std::reverse(curve.points.begin(), curve.points.end()); // any order in, sorted by position out
  SweepPlot plot;
  plot.setCurve(curve);
  plot.replotNow();

  const QVector<QPointF> points = plot.drawnAccuracy(curve.label);
  const QVector<QPointF> bars = plot.drawnErrorBars(curve.label);
  const QVector<QPointF> logprob = plot.drawnLogprob(curve.label);
  QCOMPARE(points.size(), 20);
  QCOMPARE(bars.size(), 20);
  QCOMPARE(logprob.size(), logprobs ? 20 : 0);
  for (const SweepPoint& p : curve.points) {
    const int i = p.position;
    QCOMPARE(points[i].x(), double(p.position + 1)); // 1-based on the plot
    QCOMPARE(points[i].y(), p.accuracy * 100);
    QCOMPARE(bars[i].x(), (p.accuracy - p.ciLow) * 100);
    QCOMPARE(bars[i].y(), (p.ciHigh - p.accuracy) * 100);
    QVERIFY(bars[i].x() > 0 && bars[i].y() > 0);
    if (logprobs) QCOMPARE(logprob[i], QPointF(p.position + 1, *p.meanAnswerLogprob));
  }
}

void TestSweepPlot::baselinesAreDrawnWhereGiven_data() {
  QTest::addColumn<bool>("closedBook");
  QTest::addColumn<bool>("oracle");
  QTest::newRow("both") << true << true;
  QTest::newRow("closed-book only") << true << false;
  QTest::newRow("oracle only") << false << true;
  QTest::newRow("none") << false << false;
}

void TestSweepPlot::baselinesAreDrawnWhereGiven() {
  QFETCH(bool, closedBook);
  QFETCH(bool, oracle);
  SweepCurve curve = testdata::gpt35Curve();
  if (!closedBook) curve.closedBook.reset();
  if (!oracle) curve.oracle.reset();
  SweepPlot plot;
  plot.setCurve(curve);
  plot.replotNow();
  const auto drawnClosed = plot.drawnBaseline(curve.label, SweepPlot::Baseline::ClosedBook);
  const auto drawnOracle = plot.drawnBaseline(curve.label, SweepPlot::Baseline::Oracle);
  QCOMPARE(drawnClosed.has_value(), closedBook);
  QCOMPARE(drawnOracle.has_value(), oracle);
  if (closedBook) QCOMPARE(*drawnClosed, curve.closedBook->accuracy * 100);
  if (oracle) QCOMPARE(*drawnOracle, curve.oracle->accuracy * 100);
}

void TestSweepPlot::severalRunsAreDodgedNotChanged() {
  SweepPlot plot;
  const SweepCurve a = testdata::mistralBase(), b = testdata::mistralPos2Distill();
  plot.setCurve(a);
  plot.setCurve(b);
  plot.replotNow();
  QCOMPARE(plot.runs(), QStringList({a.label, b.label}));
  const QVector<QPointF> pa = plot.drawnAccuracy(a.label), pb = plot.drawnAccuracy(b.label);
  QCOMPARE(pa.size(), 20);
  QCOMPARE(pb.size(), 20);
  for (int i = 0; i < 20; ++i) {
    QCOMPARE(pa[i].y(), a.points[i].accuracy * 100);
    QCOMPARE(pb[i].y(), b.points[i].accuracy * 100);
    // Side by side around the position, never on top of each other or a position away.
    QVERIFY(pa[i].x() < pb[i].x());
    QVERIFY(qAbs((pa[i].x() + pb[i].x()) / 2 - (i + 1)) < 1e-9);
    QVERIFY(pb[i].x() - pa[i].x() < 0.5);
  }
}

void TestSweepPlot::settingACurveAgainReplacesIt() {
  SweepPlot plot;
  SweepCurve curve = testdata::gpt35Curve();
  plot.setCurve(curve);
  curve.points.resize(5);
  curve.points[2] = testdata::point(2, 100, 12);
  plot.setCurve(curve);
  plot.replotNow();
  QCOMPARE(plot.runs().size(), 1);
  const QVector<QPointF> points = plot.drawnAccuracy(curve.label);
  QCOMPARE(points.size(), 5);
  QCOMPARE(points[2], QPointF(3, 12.0));
}

void TestSweepPlot::togglingARunHidesIt() {
  SweepPlot plot;
  const SweepCurve a = testdata::gpt35Curve(), b = testdata::mistralBase();
  plot.setCurve(a);
  plot.setCurve(b);
  plot.replotNow();
  QVERIFY(plot.drawnVisible(a.label));
  QVERIFY(plot.drawnBaseline(a.label, SweepPlot::Baseline::Oracle).has_value());
  QSignalSpy changed(&plot, &SweepPlot::runVisibilityChanged);
  plot.setRunVisible(a.label, false);
  plot.replotNow();
  QCOMPARE(changed.count(), 1);
  QVERIFY(!plot.isRunVisible(a.label));
  QVERIFY(!plot.drawnVisible(a.label));
  QVERIFY(plot.drawnVisible(b.label));
  QVERIFY(!plot.drawnBaseline(a.label, SweepPlot::Baseline::Oracle).has_value());
  // The other run, now alone, sits on the integer positions again.
  QCOMPARE(plot.drawnAccuracy(b.label).first().x(), 1.0);
  plot.setRunVisible(a.label, true);
  plot.replotNow();
  QVERIFY(plot.drawnVisible(a.label));
}

void TestSweepPlot::legendClickTogglesTheRun() {
  SweepPlot plot;
  plot.resize(900, 600);
  plot.show();
  QVERIFY(QTest::qWaitForWindowExposed(&plot));
  const SweepCurve a = testdata::gpt35Curve();
  plot.setCurve(a);
  plot.replotNow();
  // One legend only: the plot's own (no row of run checkboxes above it).
  QVERIFY(plot.findChildren<QCheckBox*>().isEmpty());
  const QRect entry = plot.legendEntryRect(a.label);
  QVERIFY(entry.isValid());
  auto* canvas = plot.findChild<QWidget*>("sweepPlot"); // the QCustomPlot
  QVERIFY(canvas);
  const QPoint centre = entry.center();
  QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, centre);
  plot.replotNow();
  QVERIFY(!plot.isRunVisible(a.label));
  QVERIFY(!plot.drawnVisible(a.label));
  QTest::mouseClick(canvas, Qt::LeftButton, Qt::NoModifier, centre);
  plot.replotNow();
  QVERIFY(plot.isRunVisible(a.label));
  QVERIFY(plot.drawnVisible(a.label));
}

// With no run the legend is empty; the panel must still get the plot's width
// (an empty legend's size hint once shrank it to a 50-pixel strip).
void TestSweepPlot::emptyPlotKeepsItsWidth() {
  SweepPlot plot;
  plot.resize(600, 560);
  plot.show();
  QVERIFY(QTest::qWaitForWindowExposed(&plot));
  plot.replotNow();
  const int empty = plot.accuracyArea().width();
  QVERIFY2(empty > 450, qPrintable(QString::number(empty)));
  // A run's baseline labels take the right margin; the rest stays the panel's.
  plot.setCurve(testdata::gpt35Curve());
  plot.replotNow();
  QVERIFY2(plot.accuracyArea().width() > 350, qPrintable(QString::number(plot.accuracyArea().width())));
}

// Before any result the x axis shows the dataset's positions (1-5 while unknown);
// once results are in, theirs.
void TestSweepPlot::emptyAxisSpansTheDatasetPositions() {
  SweepPlot plot;
  plot.replotNow();
  QCOMPARE(plot.drawnPositionRange(), QPointF(0.5, 5.5));
  plot.setPositionCount(20);
  plot.replotNow();
  QCOMPARE(plot.drawnPositionRange(), QPointF(0.5, 20.5));
  SweepCurve curve = testdata::gpt35Curve();
  plot.setCurve(curve);
  plot.replotNow();
  QCOMPARE(plot.drawnPositionRange().y(), curve.points.back().position + 1.5);
  plot.clear();
  plot.setPositionCount(0);
  plot.replotNow();
  QCOMPARE(plot.drawnPositionRange(), QPointF(0.5, 5.5));
}

void TestSweepPlot::significantPositionsAreStarred() {
  SweepPlot plot;
  const SweepCurve a = testdata::mistralBase(), b = testdata::mistralPos2Distill();
  plot.setCurve(a);
  plot.setCurve(b);
  PairedComparison comparison;
  comparison.runA = a.label;
  comparison.runB = b.label;
  comparison.positions = {{0, 0.30, -1, 10, 8},
                          {4, 0.001, +1, 5, 40},
                          {9, 0.049, +1, 9, 25},
                          {12, 0.05, +1, 9, 22},
                          {19, 0.02, -1, 30, 12}};
  plot.setComparison(comparison);
  plot.replotNow();
  const QVector<QPointF> stars = plot.drawnSignificanceMarkers();
  QCOMPARE(stars.size(), 3); // p < 0.05 only: positions 5, 10, 20 (1-based)
  const int expected[3] = {4, 9, 19};
  for (int k = 0; k < 3; ++k) {
    const int pos = expected[k];
    QCOMPARE(stars[k].x(), double(pos + 1));
    const double top = std::max(a.points[pos].ciHigh, b.points[pos].ciHigh) * 100;
    QVERIFY2(stars[k].y() > top, "a star sits above both intervals");
  }
  plot.setRunVisible(b.label, false);
  plot.replotNow();
  QVERIFY(plot.drawnSignificanceMarkers().isEmpty());
  plot.setRunVisible(b.label, true);
  plot.clearComparison();
  plot.replotNow();
  QVERIFY(plot.drawnSignificanceMarkers().isEmpty());
}

void TestSweepPlot::logprobPanelOnlyWithLogprobs() {
  SweepPlot plot;
  SweepCurve curve = testdata::gpt35Curve();
  for (SweepPoint& p : curve.points)
    p.meanAnswerLogprob.reset();
  plot.setCurve(curve);
  plot.replotNow();
  QVERIFY(!plot.logprobPanelShown());
  plot.setCurve(testdata::mistralBase());
  plot.replotNow();
  QVERIFY(plot.logprobPanelShown());
  plot.setRunVisible(testdata::mistralBase().label, false);
  plot.replotNow();
  QVERIFY(!plot.logprobPanelShown());
}

void TestSweepPlot::noAccuracyLabelAboveHundred() {
  SweepPlot plot;
  plot.resize(700, 500);
  SweepCurve a, b;
  a.label = "a";
  b.label = "b";
  for (int pos = 0; pos < 5; ++pos) {
    a.points << testdata::point(pos, 200, 150);
    b.points << testdata::point(pos, 200, 199); // near 100 %: the star needs room above
  }
  plot.setCurve(a);
  plot.setCurve(b);
  plot.setComparison(testdata::comparison(a, b));
  plot.replotNow();
  QVERIFY(!plot.drawnSignificanceMarkers().isEmpty());
  QVERIFY(plot.drawnSignificanceMarkers().first().y() > 100);
  const QStringList labels = plot.drawnAccuracyTickLabels();
  QVERIFY2(labels.contains("100"), qPrintable(labels.join(' ')));
  for (const QString& label : labels)
    QVERIFY2(label.toDouble() <= 100, qPrintable(labels.join(' ')));
}

void TestSweepPlot::burstOfUpdatesCoalescesIntoOneReplot() {
  SweepPlot plot;
  plot.show();
  QSignalSpy replots(&plot, &SweepPlot::replotted);
  const int before = plot.replotCount();
  // 1 000 records arrive at once, as from a fast worker: no redraw may happen per record.
  for (int record = 1; record <= 1000; ++record)
    plot.updatePoint(QStringLiteral("live"),
                     testdata::point(record % 20, 1 + record / 20, (record / 20) / 2 + 1));
  QCOMPARE(replots.count(), 0);
  QVERIFY(plot.replotPending());
  QVERIFY(replots.wait(5000));
  QCOMPARE(replots.count(), 1);
  QCOMPARE(plot.replotCount(), before + 1);
  QTest::qWait(3 * SweepPlot::kMinReplotIntervalMs); // nothing left over to draw
  QCOMPARE(replots.count(), 1);
  QVERIFY(!plot.replotPending());
  // The one redraw shows the last value of every position.
  const QVector<QPointF> points = plot.drawnAccuracy(QStringLiteral("live"));
  QCOMPARE(points.size(), 20);
  const SweepCurve curve = plot.curve(QStringLiteral("live"));
  for (const SweepPoint& p : curve.points)
    QCOMPARE(points[p.position].y(), p.accuracy * 100);
}

void TestSweepPlot::updatePointReplacesOnePosition() {
  SweepPlot plot;
  const SweepCurve curve = testdata::gpt35Curve();
  plot.setCurve(curve);
  plot.updatePoint(curve.label, testdata::point(7, 10, 9));
  plot.replotNow();
  const QVector<QPointF> points = plot.drawnAccuracy(curve.label);
  QCOMPARE(points.size(), 20);
  QCOMPARE(points[7].y(), 90.0);
  QCOMPARE(points[6].y(), curve.points[6].accuracy * 100);
}

void TestSweepPlot::plotDataHasEveryNumber() {
  SweepPlot plot;
  const SweepCurve a = testdata::mistralBase(), b = testdata::gpt35Curve();
  plot.setCurve(a);
  plot.setCurve(b);
  plot.setComparison(testdata::comparison(a, b));
  const PlotData table = plot.plotData();
  QCOMPARE(table.columns.size(), 11);
  QCOMPARE(table.rows.size(), 20 + 20 + 2 + 20); // positions, baselines of b, McNemar rows
  const int accuracy = table.columns.indexOf("accuracy");
  const int position = table.columns.indexOf("position");
  const int ciHigh = table.columns.indexOf("ci_high");
  for (int i = 0; i < 20; ++i) {
    QCOMPARE(table.rows[i][0].toString(), a.label);
    QCOMPARE(table.rows[i][position].toInt(), i + 1);
    QCOMPARE(table.rows[i][accuracy].toDouble(), a.points[i].accuracy);
    QCOMPARE(table.rows[i][ciHigh].toDouble(), a.points[i].ciHigh);
  }
  QCOMPARE(table.rows[40][1].toString(), QStringLiteral("closed_book"));
  QCOMPARE(table.rows[40][accuracy].toDouble(), b.closedBook->accuracy);
  QVERIFY(table.rows[40][position].isNull());
  QCOMPARE(table.rows[42][1].toString(), QStringLiteral("mcnemar"));
}

QTEST_MAIN(TestSweepPlot)
#include "test_sweep_plot.moc"
