// Renders every widget with realistic data into PNGs, to look at them as a user
// would: `poslab_widget_gallery OUT_DIR [--dark]` (QT_QPA_PLATFORM=offscreen works).
// Also exports the comparison plot as a paper would take it (PDF, SVG, 300 dpi PNG,
// CSV, JSON) and renders the SVG back to a PNG to check the vector output.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/DocumentStrip.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/PlotExporter.h"
#include "widgets/SweepPlot.h"

#include <QApplication>
#include <QDir>
#include <QPainter>
#include <QPalette>
#include <QStyleFactory>
#include <QSvgRenderer>
#include <cstdio>

using namespace poslab;

namespace {

QPalette darkPalette() {
  QPalette p;
  p.setColor(QPalette::Window, QColor(45, 45, 48));
  p.setColor(QPalette::WindowText, QColor(220, 220, 220));
  p.setColor(QPalette::Base, QColor(30, 30, 32));
  p.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
  p.setColor(QPalette::Text, QColor(220, 220, 220));
  p.setColor(QPalette::Button, QColor(60, 60, 64));
  p.setColor(QPalette::ButtonText, QColor(220, 220, 220));
  p.setColor(QPalette::Mid, QColor(90, 90, 96));
  p.setColor(QPalette::Highlight, QColor(42, 130, 218));
  p.setColor(QPalette::PlaceholderText, QColor(150, 150, 150));
  return p;
}

void shoot(QWidget* widget, const QSize& size, const QString& path) {
  widget->resize(size);
  widget->show();
  QApplication::processEvents();
  if (auto* sweep = qobject_cast<SweepPlot*>(widget)) sweep->replotNow();
  QApplication::processEvents();
  if (!widget->grab().save(path)) std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
}

} // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: poslab_widget_gallery OUT_DIR [--dark]\n");
    return 2;
  }
  const QString out = QString::fromLocal8Bit(argv[1]);
  QDir().mkpath(out);
  const bool dark = argc > 2 && QString::fromLocal8Bit(argv[2]) == QLatin1String("--dark");
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  if (dark) QApplication::setPalette(darkPalette());
  const QString suffix = dark ? QStringLiteral("-dark.png") : QStringLiteral(".png");

  SweepPlot empty;
  shoot(&empty, {380, 560}, out + "/sweep-empty" + suffix);

  SweepPlot single;
  single.setCurve(testdata::gpt35Curve());
  shoot(&single, {900, 620}, out + "/sweep-single" + suffix);

  FigureExportDialog exportDialog(single, QDir(out).filePath("accuracy-vs-position.png"));
  exportDialog.setSizeInches({3.5, 2.6});
  shoot(&exportDialog, exportDialog.sizeHint(), out + "/figure-export-dialog" + suffix);

  SweepPlot compare;
  const SweepCurve base = testdata::mistralBase(), tuned = testdata::mistralPos2Distill();
  compare.setCurve(base);
  compare.setCurve(tuned);
  compare.setBaselines(base.label, testdata::point(0, 500, 281), testdata::point(0, 500, 441));
  compare.setComparison(testdata::comparison(base, tuned));
  shoot(&compare, {900, 620}, out + "/sweep-compare" + suffix);
  QString error;
  const QString stem = out + "/export" + (dark ? QStringLiteral("-dark") : QString());
  for (const char* ext : {".pdf", ".svg", ".csv", ".json"})
    if (!PlotExporter::save(compare, stem + ext, {QSize(560, 400)}, &error))
      std::fprintf(stderr, "%s\n", qPrintable(error));
  if (!PlotExporter::savePng(compare.customPlot(), stem + "-300dpi.png", QSize(2100, 1500), 300, &error))
    std::fprintf(stderr, "%s\n", qPrintable(error));
  QSvgRenderer svg(stem + ".svg");
  QImage rendered(QSize(1120, 800), QImage::Format_ARGB32);
  rendered.fill(Qt::white);
  QPainter painter(&rendered);
  svg.render(&painter);
  painter.end();
  rendered.save(stem + "-svg-rendered.png");

  AttentionHeatmap heatmap;
  heatmap.setGrid(testdata::sinkHeavyGrid());
  shoot(&heatmap, {900, 560}, out + "/attention-heatmap" + suffix);

  AttentionBars bars;
  const AttentionGrid grid = testdata::sinkHeavyGrid();
  bars.setValues(heatmap.documentMass(), grid.goldIndex, grid.documentLabels);
  shoot(&bars, {700, 260}, out + "/attention-bars" + suffix);

  DocumentStrip strip;
  strip.setItems(testdata::documents());
  strip.setCurrentIndex(3);
  shoot(&strip, {900, strip.sizeHint().height()}, out + "/document-strip" + suffix);

  AttentionMassHeatmap mass;
  mass.setMatrix(testdata::massMatrix());
  shoot(&mass, {760, 600}, out + "/attention-mass" + suffix);

  DepthHeatmap depth;
  depth.setGrid(testdata::depthGrid());
  shoot(&depth, {560, 760}, out + "/depth" + suffix);

  PlacementExplorer explorer;
  explorer.setDetails(testdata::placement());
  shoot(&explorer, {1000, 900}, out + "/explorer" + suffix);

  MatrixHeatmap tokens; // a token-level map: 60 query × 60 key tokens, causal
  HeatmapMatrix m;
  m.rows = m.columns = 60;
  for (int q = 0; q < 60; ++q)
    for (int k = 0; k < 60; ++k)
      m.values << (k > q ? std::nan("") : (k == 0 ? 0.6 : 0.4 / (q + 1)) * (1 + 0.3 * ((q * k) % 5)));
  m.rowTitle = QStringLiteral("Query token");
  m.columnTitle = QStringLiteral("Key token");
  m.valueTitle = QStringLiteral("Attention");
  m.rowsTopToBottom = true;
  tokens.setMatrix(m);
  shoot(&tokens, {700, 600}, out + "/token-map" + suffix);
  return 0;
}
