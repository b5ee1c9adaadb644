// "Export figure…": the chosen inches and DPI become the file's size (PDF page in
// points, SVG in 1/96 in, PNG pixels with the DPI stored), presets follow the size,
// a bad folder is a message in the dialog (nothing written, the dialog stays), and
// the choices are remembered for the next export.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/FigureExportDialog.h"
#include "widgets/SweepPlot.h"

#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

using namespace poslab;

class TestFigureExportDialog : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase();
  void cleanupTestCase();
  void optionsFollowTheFormat();
  void pngHasTheChosenPixelsAndDpi();
  void pdfPageIsTheChosenInches();
  void presetFollowsTheSize();
  void missingFolderIsAMessageNotAFile();
  void choicesAreRemembered();

private:
  QTemporaryDir dir_;
  std::unique_ptr<SweepPlot> plot_;
};

void TestFigureExportDialog::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName("PosLabTest");
  QCoreApplication::setApplicationName("test_figure_export_dialog");
  QSettings().clear();
  QVERIFY(dir_.isValid());
  plot_ = std::make_unique<SweepPlot>();
  plot_->resize(800, 560);
  plot_->setCurve(testdata::mistralBase());
  plot_->replotNow();
}

void TestFigureExportDialog::cleanupTestCase() {
  QSettings().clear();
}

void TestFigureExportDialog::optionsFollowTheFormat() {
  const QSizeF inches(7.0, 3.5);
  const PlotExporter::Options pdf = FigureExportDialog::optionsFor("a.pdf", inches, 300);
  QCOMPARE(pdf.size, QSize(504, 252)); // 72 points an inch
  const PlotExporter::Options svg = FigureExportDialog::optionsFor("a.SVG", inches, 300);
  QCOMPARE(svg.size, QSize(672, 336)); // 96 user units an inch
  const PlotExporter::Options png = FigureExportDialog::optionsFor("a.png", inches, 300);
  QCOMPARE(png.size, QSize(2100, 1050));
  QCOMPARE(png.dpi, 300);
  QVERIFY(FigureExportDialog::optionsFor("a.csv", inches, 300).size.isEmpty());
}

void TestFigureExportDialog::pngHasTheChosenPixelsAndDpi() {
  FigureExportDialog dialog(*plot_, dir_.filePath("curve.png"));
  dialog.setSizeInches({3.5, 2.6});
  dialog.setDpi(200);
  QVERIFY2(dialog.exportFigure(), qPrintable(dialog.lastError()));
  const QImage image(dir_.filePath("curve.png"));
  QCOMPARE(image.size(), QSize(700, 520));
  QVERIFY(std::abs(image.dotsPerMeterX() * 0.0254 - 200) < 1);
}

void TestFigureExportDialog::pdfPageIsTheChosenInches() {
  FigureExportDialog dialog(*plot_, dir_.filePath("curve.pdf"));
  dialog.setSizeInches({3.5, 2.5});
  QVERIFY2(dialog.exportFigure(), qPrintable(dialog.lastError()));
  QFile file(dir_.filePath("curve.pdf"));
  QVERIFY(file.open(QIODevice::ReadOnly));
  const QString pdf = QString::fromLatin1(file.readAll());
  QVERIFY(pdf.startsWith("%PDF-"));
  QVERIFY2(QRegularExpression(R"(/MediaBox \[0 0 252(\.0+)? 180(\.0+)?\])").match(pdf).hasMatch(),
           "a 3.5 x 2.5 in page is 252 x 180 pt");
}

void TestFigureExportDialog::presetFollowsTheSize() {
  FigureExportDialog dialog(*plot_, dir_.filePath("x.pdf"));
  auto* preset = dialog.findChild<QComboBox*>("exportPreset");
  QVERIFY(preset);
  dialog.setSizeInches({3.5, 2.6});
  QCOMPARE(preset->currentIndex(), 0);
  dialog.setSizeInches({3.6, 2.6});
  QCOMPARE(preset->currentText(), QString("Custom"));
  preset->setCurrentIndex(1);
  Q_EMIT preset->activated(1);
  QCOMPARE(dialog.sizeInches(), QSizeF(7.0, 3.5));
}

void TestFigureExportDialog::missingFolderIsAMessageNotAFile() {
  const QString bad = dir_.filePath("no-such-folder/curve.png");
  FigureExportDialog dialog(*plot_, bad);
  dialog.show();
  dialog.accept();
  QVERIFY(dialog.isVisible()); // stays open with the reason
  QCOMPARE(dialog.result(), int(QDialog::Rejected));
  QVERIFY(dialog.lastError().contains("no-such-folder"));
  auto* error = dialog.findChild<QLabel*>("exportError");
  QVERIFY(error && error->isVisible() && error->text() == dialog.lastError());
  QVERIFY(!QFile::exists(bad));
  // An unknown suffix names the file and the formats.
  dialog.setPath(dir_.filePath("curve.bmp"));
  QVERIFY(!dialog.exportFigure());
  QVERIFY(dialog.lastError().contains("curve.bmp") && dialog.lastError().contains("pdf"));
}

void TestFigureExportDialog::choicesAreRemembered() {
  {
    FigureExportDialog dialog(*plot_, dir_.filePath("kept.png"));
    dialog.setSizeInches({5.0, 3.0});
    dialog.setDpi(600);
    dialog.show();
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(QFile::exists(dir_.filePath("kept.png")));
  }
  FigureExportDialog next(*plot_, FigureExportDialog::suggestedPath("again"));
  QCOMPARE(next.sizeInches(), QSizeF(5.0, 3.0));
  QCOMPARE(next.dpi(), 600);
  QCOMPARE(QFileInfo(next.path()).absolutePath(), QFileInfo(dir_.filePath("kept.png")).absolutePath());
}

QTEST_MAIN(TestFigureExportDialog)
#include "test_figure_export_dialog.moc"
