// The heatmap draws exactly the matrix it is given, with the colour scale over the
// data's range (or the fixed one asked for), NaN as "no data", and reports clicks.
#include "widgets/MatrixHeatmap.h"

#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;

namespace {

HeatmapMatrix ramp(int rows, int columns) {
  HeatmapMatrix m;
  m.rows = rows;
  m.columns = columns;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c)
      m.values << 0.01 * (r * columns + c) + 0.5;
  m.rowTitle = QStringLiteral("Layer");
  m.columnTitle = QStringLiteral("Document");
  m.valueTitle = QStringLiteral("Attention share");
  return m;
}

} // namespace

class TestMatrixHeatmap : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void drawsEveryCell_data();
  void drawsEveryCell();
  void colourRangeFollowsDataOrIsFixed_data();
  void colourRangeFollowsDataOrIsFixed();
  void nanCellsStayNan();
  void malformedMatrixIsShownEmpty();
  void clickingACellReportsIt();
  void plotDataListsEveryCell();
  void singleRowOrColumnIsPainted_data();
  void singleRowOrColumnIsPainted();
};

void TestMatrixHeatmap::drawsEveryCell_data() {
  QTest::addColumn<int>("rows");
  QTest::addColumn<int>("columns");
  QTest::addColumn<bool>("topToBottom");
  QTest::newRow("layers x documents") << 32 << 20 << false;
  QTest::newRow("one row") << 1 << 7 << false;
  QTest::newRow("tokens, matrix order") << 120 << 120 << true;
}

void TestMatrixHeatmap::drawsEveryCell() {
  QFETCH(int, rows);
  QFETCH(int, columns);
  QFETCH(bool, topToBottom);
  HeatmapMatrix m = ramp(rows, columns);
  m.rowsTopToBottom = topToBottom;
  MatrixHeatmap heatmap;
  heatmap.setMatrix(m);
  QCOMPARE(heatmap.drawnSize(), QSize(columns, rows));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c)
      QCOMPARE(heatmap.drawnCell(r, c), m.at(r, c));
}

void TestMatrixHeatmap::colourRangeFollowsDataOrIsFixed_data() {
  QTest::addColumn<QVariant>("minimum");
  QTest::addColumn<QVariant>("maximum");
  QTest::addColumn<double>("lower");
  QTest::addColumn<double>("upper");
  QTest::newRow("data range") << QVariant() << QVariant() << 0.5 << 0.5 + 0.01 * 11;
  QTest::newRow("from zero") << QVariant(0.0) << QVariant() << 0.0 << 0.5 + 0.01 * 11;
  QTest::newRow("fixed 0..100") << QVariant(0.0) << QVariant(100.0) << 0.0 << 100.0;
}

void TestMatrixHeatmap::colourRangeFollowsDataOrIsFixed() {
  QFETCH(QVariant, minimum);
  QFETCH(QVariant, maximum);
  QFETCH(double, lower);
  QFETCH(double, upper);
  HeatmapMatrix m = ramp(3, 4);
  if (minimum.isValid()) m.minimum = minimum.toDouble();
  if (maximum.isValid()) m.maximum = maximum.toDouble();
  MatrixHeatmap heatmap;
  heatmap.setMatrix(m);
  QCOMPARE(heatmap.colorRangeLower(), lower);
  QCOMPARE(heatmap.colorRangeUpper(), upper);
}

void TestMatrixHeatmap::nanCellsStayNan() {
  HeatmapMatrix m = ramp(2, 3);
  m.values[4] = std::nan("");
  MatrixHeatmap heatmap;
  heatmap.setMatrix(m);
  QVERIFY(std::isnan(heatmap.drawnCell(1, 1)));
  QCOMPARE(heatmap.drawnCell(1, 2), m.at(1, 2));
  // The range ignores the missing cell.
  QCOMPARE(heatmap.colorRangeUpper(), m.at(1, 2));
  const PlotData table = heatmap.plotData();
  QVERIFY(table.rows[4][4].isNull());
}

void TestMatrixHeatmap::malformedMatrixIsShownEmpty() {
  HeatmapMatrix m = ramp(3, 3);
  m.values.removeLast();
  MatrixHeatmap heatmap;
  heatmap.setMatrix(m);
  QCOMPARE(heatmap.drawnSize(), QSize());
  QCOMPARE(heatmap.plotData().rows.size(), 0);
}

void TestMatrixHeatmap::clickingACellReportsIt() {
  MatrixHeatmap heatmap;
  heatmap.resize(500, 400);
  heatmap.show();
  QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
  heatmap.setMatrix(ramp(4, 6));
  QSignalSpy clicked(&heatmap, &MatrixHeatmap::cellClicked);
  QTest::mouseClick(heatmap.plotWidget(), Qt::LeftButton, {}, heatmap.cellCentre(2, 5));
  QCOMPARE(clicked.count(), 1);
  QCOMPARE(clicked.first().at(0).toInt(), 2);
  QCOMPARE(clicked.first().at(1).toInt(), 5);
}

void TestMatrixHeatmap::plotDataListsEveryCell() {
  HeatmapMatrix m = ramp(2, 3);
  m.columnLabels = {"a", "b", "c"};
  MatrixHeatmap heatmap;
  heatmap.setMatrix(m);
  const PlotData table = heatmap.plotData();
  QCOMPARE(table.columns, QStringList({"row", "row_label", "column", "column_label", "value"}));
  QCOMPARE(table.rows.size(), 6);
  QCOMPARE(table.rows[5][1].toString(), QStringLiteral("2")); // default labels are 1-based
  QCOMPARE(table.rows[5][3].toString(), QStringLiteral("c"));
  QCOMPARE(table.rows[5][4].toDouble(), m.at(1, 2));
}

QTEST_MAIN(TestMatrixHeatmap)
#include "test_matrix_heatmap.moc"

void TestMatrixHeatmap::singleRowOrColumnIsPainted_data() {
  QTest::addColumn<int>("rows");
  QTest::addColumn<int>("columns");
  QTest::newRow("one row (a query token's attention)") << 1 << 9;
  QTest::newRow("one column (one context length)") << 6 << 1;
  QTest::newRow("one cell") << 1 << 1;
  QTest::newRow("several") << 3 << 4;
}

// Every cell's centre shows a viridis colour, not the background: a dimension
// with a single cell once collapsed to zero pixels.
void TestMatrixHeatmap::singleRowOrColumnIsPainted() {
  QFETCH(int, rows);
  QFETCH(int, columns);
  MatrixHeatmap heatmap;
  heatmap.resize(500, 300);
  heatmap.setMatrix(ramp(rows, columns));
  heatmap.show();
  QVERIFY(QTest::qWaitForWindowExposed(&heatmap));
  const QImage image = heatmap.plotWidget()->grab().toImage();
  const QColor background = image.pixelColor(1, 1);
  const qreal ratio = image.devicePixelRatio();
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < columns; ++c) {
      const QPoint centre = heatmap.cellCentre(r, c) * ratio;
      const QColor drawn = image.pixelColor(centre);
      const int distance = std::abs(drawn.red() - background.red()) +
                           std::abs(drawn.green() - background.green()) +
                           std::abs(drawn.blue() - background.blue());
      QVERIFY2(distance > 60, qPrintable(QString("cell (%1, %2) at (%3, %4) is %5, the background %6")
                                             .arg(r)
                                             .arg(c)
                                             .arg(centre.x())
                                             .arg(centre.y())
                                             .arg(drawn.name(), background.name())));
    }
}
