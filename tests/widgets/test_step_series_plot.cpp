// StepSeriesPlot and EvalCurvesPlot: the Train view's curves, read back from
// what they draw and export.
#include "widgets/EvalCurvesPlot.h"
#include "widgets/StepSeriesPlot.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;

class TestStepSeriesPlot : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void smoothingIsTensorBoardsDebiasedEma() {
    // By hand: w = 0.5 over 1, 2, 3 -> 0.5/0.5, 1.25/0.75, 2.125/0.875.
    const QVector<double> s = StepSeriesPlot::smoothed({1, 2, 3}, 0.5);
    QCOMPARE(s.size(), qsizetype(3));
    QCOMPARE(s[0], 1.0); // debiased: the first point is itself, not pulled to 0
    QVERIFY(std::abs(s[1] - 1.25 / 0.75) < 1e-12);
    QVERIFY(std::abs(s[2] - 2.125 / 0.875) < 1e-12);
    QCOMPARE(StepSeriesPlot::smoothed({4, 5}, 0), (QVector<double>{4, 5}));
    // A gap stays a gap and the points after it are still finite.
    const QVector<double> gap = StepSeriesPlot::smoothed({1, std::nan(""), 3}, 0.5);
    QVERIFY(std::isnan(gap[1]));
    QVERIFY(std::isfinite(gap[2]));
  }

  void drawsRawAndSmoothedAndExportsBoth() {
    StepSeriesPlot plot("loss");
    plot.setSmoothing(0.5);
    plot.setSeries({1, 2, 3}, {1, 2, 3});
    QTRY_COMPARE(plot.drawnRaw(), (QVector<double>{1, 2, 3}));
    QCOMPARE(plot.drawnSmoothed(), StepSeriesPlot::smoothed({1, 2, 3}, 0.5));
    plot.setSmoothing(0.9); // the slider redraws at once
    QCOMPARE(plot.drawnSmoothed(), StepSeriesPlot::smoothed({1, 2, 3}, 0.9));
    const PlotData d = plot.plotData();
    QCOMPARE(d.columns, (QStringList{"step", "loss", "loss (smoothed)"}));
    QCOMPARE(d.rows.size(), qsizetype(3));
    QCOMPARE(d.rows[2][1].toDouble(), 3.0);
    QCOMPARE(d.rows[2][2].toDouble(), StepSeriesPlot::smoothed({1, 2, 3}, 0.9)[2]);
  }

  void logAxisOnRequest() {
    StepSeriesPlot plot("loss");
    plot.setSeries({1, 2}, {1.0, 0.001});
    QTRY_VERIFY(!plot.drawnRaw().isEmpty());
    QVERIFY(!plot.drawnLogAxis());
    plot.setLogScale(true);
    QVERIFY(plot.drawnLogAxis());
    QVERIFY(plot.drawnValueRange().first > 0); // a log axis cannot reach 0
    QVERIFY(plot.drawnValueRange().first <= 0.001);
    QVERIFY(plot.drawnValueRange().second >= 1.0);
  }

  void evalCurvesOnePerStepBaseFirst() {
    EvalCurvesPlot plot;
    plot.setCurves({{0, {0, 9, 19}, {0.98, 0.5, 0.96}, {100, 100, 100}},
                    {300, {0, 9, 19}, {0.97, 0.81, 0.95}, {100, 100, 100}}});
    QCOMPARE(plot.drawnNames(), (QStringList{"base (step 0)", "step 300"}));
    QCOMPARE(plot.drawnCurve(1), (QVector<QPointF>{{1, 97}, {10, 81}, {20, 95}})); // 1-based, in %
    const PlotData d = plot.plotData();
    QCOMPARE(d.columns, (QStringList{"step", "position", "n", "accuracy"}));
    QCOMPARE(d.rows.size(), qsizetype(6));
    QCOMPARE(d.rows[4][1].toInt(), 10);
    QCOMPARE(d.rows[4][3].toDouble(), 0.81);
  }

  void theLatestStepStandsOutOnLightAndDark() {
    const QVector<EvalCurve> curves{{0, {0}, {0.5}, {10}}, {10, {0}, {0.6}, {10}}, {100, {0}, {0.9}, {10}}};
    EvalCurvesPlot light;
    light.setCurves(curves);
    QVERIFY(light.drawnColor(2).lightnessF() < light.drawnColor(1).lightnessF()); // darker on white
    EvalCurvesPlot dark;
    QPalette p = dark.palette();
    p.setColor(QPalette::Window, QColor(30, 30, 32));
    p.setColor(QPalette::Base, QColor(30, 30, 32));
    p.setColor(QPalette::WindowText, Qt::white);
    p.setColor(QPalette::Text, Qt::white);
    dark.setPalette(p);
    dark.setCurves(curves);
    QVERIFY(dark.drawnColor(2).lightnessF() > dark.drawnColor(1).lightnessF()); // brighter on grey
  }
};

QTEST_MAIN(TestStepSeriesPlot)
#include "test_step_series_plot.moc"
