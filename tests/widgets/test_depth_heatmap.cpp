// Depth × context-length and attention-mass heatmaps: cells where the grid has them,
// blank where a context has no such position, the gold diagonal outlined.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/MatrixHeatmap.h"

#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;

class TestDepthHeatmap : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void depthCellsAreAccuracyOrBlank();
  void depthPlotDataSkipsMissingCells();
  void massCellsAndDiagonal();
  void mismatchedSizesAreShownEmpty();
};

void TestDepthHeatmap::depthCellsAreAccuracyOrBlank() {
  const DepthGrid grid = testdata::depthGrid();
  DepthHeatmap view;
  view.setGrid(grid);
  MatrixHeatmap* map = view.heatmap();
  QCOMPARE(map->drawnSize(), QSize(3, 30));
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 30; ++p) {
      const DepthCell& cell = grid.cell(c, p);
      if (cell.n == 0)
        QVERIFY(std::isnan(map->drawnCell(p, c)));
      else
        QCOMPARE(map->drawnCell(p, c), cell.accuracy * 100);
    }
  QCOMPARE(map->colorRangeLower(), 0.0); // accuracy keeps its full scale
  QCOMPARE(map->colorRangeUpper(), 100.0);
  QCOMPARE(map->matrix().columnLabels, QStringList({"10", "20", "30"}));
}

void TestDepthHeatmap::depthPlotDataSkipsMissingCells() {
  DepthHeatmap view;
  view.setGrid(testdata::depthGrid());
  const PlotData table = view.plotData();
  QCOMPARE(table.rows.size(), 10 + 20 + 30);
  QCOMPARE(table.rows[10][0].toInt(), 20); // first row of the 20-document column
  QCOMPARE(table.rows[10][1].toInt(), 1);
}

void TestDepthHeatmap::massCellsAndDiagonal() {
  const AttentionMassMatrix mass = testdata::massMatrix(12);
  AttentionMassHeatmap view;
  view.setMatrix(mass);
  MatrixHeatmap* map = view.heatmap();
  QCOMPARE(map->drawnSize(), QSize(12, 12));
  for (int g = 0; g < 12; ++g)
    for (int d = 0; d < 12; ++d)
      QCOMPARE(map->drawnCell(g, d), double(mass.at(d, g)));
  QCOMPARE(map->matrix().highlightCells.size(), 12);
  QCOMPARE(map->matrix().highlightCells[5], QPoint(5, 5));
  const PlotData table = view.plotData();
  QCOMPARE(table.rows.size(), 144);
  QCOMPARE(table.rows[13][0].toInt(), 2); // gold position 2, document 2: the gold
  QCOMPARE(table.rows[13][1].toInt(), 2);
  QVERIFY(table.rows[13][2].toBool());
}

void TestDepthHeatmap::mismatchedSizesAreShownEmpty() {
  DepthGrid grid = testdata::depthGrid();
  grid.cells.removeLast();
  DepthHeatmap depth;
  depth.setGrid(grid);
  QCOMPARE(depth.heatmap()->drawnSize(), QSize());
  AttentionMassMatrix mass = testdata::massMatrix(4);
  mass.documents = 5;
  AttentionMassHeatmap massView;
  massView.setMatrix(mass);
  QCOMPARE(massView.heatmap()->drawnSize(), QSize());
}

QTEST_MAIN(TestDepthHeatmap)
#include "test_depth_heatmap.moc"
