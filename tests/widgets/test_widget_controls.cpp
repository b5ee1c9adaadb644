// Every control of every view can be reached by keyboard and explains itself in a
// tooltip; every view has a sensible minimum size.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/AttentionBars.h"
#include "widgets/AttentionHeatmap.h"
#include "widgets/AttentionMassHeatmap.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/DocumentStrip.h"
#include "widgets/MatrixHeatmap.h"
#include "widgets/PlacementExplorer.h"
#include "widgets/SweepPlot.h"

#include <QAbstractButton>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QtTest/QtTest>
#include <functional>
#include <memory>

using namespace poslab;

using Factory = std::function<QWidget*()>;
Q_DECLARE_METATYPE(Factory)

class TestWidgetControls : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void controlsHaveTooltipsAndFocus_data();
  void controlsHaveTooltipsAndFocus();
};

void TestWidgetControls::controlsHaveTooltipsAndFocus_data() {
  QTest::addColumn<Factory>("make");
  QTest::newRow("sweep plot, two runs") << Factory([] {
    auto* w = new SweepPlot;
    w->setCurve(testdata::mistralBase());
    w->setCurve(testdata::mistralPos2Distill());
    return w;
  });
  QTest::newRow("sweep plot, empty") << Factory([] { return new SweepPlot; });
  QTest::newRow("attention heatmap") << Factory([] {
    auto* w = new AttentionHeatmap;
    w->setGrid(testdata::sinkHeavyGrid());
    return w;
  });
  QTest::newRow("attention bars") << Factory([] { return new AttentionBars; });
  QTest::newRow("matrix heatmap") << Factory([] { return new MatrixHeatmap; });
  QTest::newRow("depth heatmap") << Factory([] { return new DepthHeatmap; });
  QTest::newRow("attention mass") << Factory([] { return new AttentionMassHeatmap; });
  QTest::newRow("placement explorer") << Factory([] {
    auto* w = new PlacementExplorer;
    w->setDetails(testdata::placement());
    return w;
  });
  QTest::newRow("document strip") << Factory([] {
    auto* w = new DocumentStrip;
    w->setItems(testdata::documents());
    return w;
  });
}

void TestWidgetControls::controlsHaveTooltipsAndFocus() {
  QFETCH(Factory, make);
  std::unique_ptr<QWidget> view(make());
  const QSize minimum = view->minimumSizeHint().expandedTo(view->minimumSize());
  QVERIFY2(minimum.width() >= 200 && minimum.height() >= 40, "a usable minimum size");
  QList<QWidget*> controls;
  for (QAbstractButton* w : view->findChildren<QAbstractButton*>())
    controls << w;
  for (QComboBox* w : view->findChildren<QComboBox*>())
    controls << w;
  for (QAbstractSpinBox* w : view->findChildren<QAbstractSpinBox*>())
    controls << w;
  if (auto* strip = qobject_cast<DocumentStrip*>(view.get())) controls << strip;
  for (QWidget* control : controls) {
    const QString name = control->objectName() + " " + control->metaObject()->className();
    QVERIFY2(!control->toolTip().isEmpty(), qPrintable(name + " has no tooltip"));
    QVERIFY2(control->focusPolicy() & Qt::TabFocus, qPrintable(name + " cannot be reached with Tab"));
  }
}

QTEST_MAIN(TestWidgetControls)
#include "test_widget_controls.moc"
