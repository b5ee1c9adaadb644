// The document strip: boxes as wide as their tokens, in prompt order, keyboard and
// mouse choose a document.
#include "tests/widgets/WidgetTestData.h"
#include "widgets/DocumentStrip.h"

#include <QApplication>
#include <QHelpEvent>
#include <QSignalSpy>
#include <QToolTip>
#include <QtTest/QtTest>

using namespace poslab;

class TestDocumentStrip : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void boxWidthsFollowTokenCounts();
  void tinyDocumentsStayVisible();
  void keyboardMovesAndActivates();
  void clickingChoosesADocument();
  void tooltipNamesTheDocument();
};

void TestDocumentStrip::boxWidthsFollowTokenCounts() {
  DocumentStrip strip;
  strip.resize(1000, 50);
  strip.setItems({{"a", 100, false}, {"b", 300, true}, {"c", 200, false}});
  const QVector<QRect> boxes = strip.boxes();
  QCOMPARE(boxes.size(), 3);
  for (int i = 1; i < 3; ++i)
    QVERIFY(boxes[i].left() > boxes[i - 1].right()); // in order, no overlap
  // Widths beyond the minimum are proportional to the token counts (within rounding).
  const double unit = (boxes[0].width() - 6) / 100.0;
  QVERIFY(qAbs((boxes[1].width() - 6) - 300 * unit) <= 2);
  QVERIFY(qAbs((boxes[2].width() - 6) - 200 * unit) <= 2);
  QVERIFY(boxes[2].right() <= strip.width() && boxes[2].right() > strip.width() - 6);
}

void TestDocumentStrip::tinyDocumentsStayVisible() {
  DocumentStrip strip;
  strip.resize(300, 50);
  strip.setItems({{"empty", 0, false}, {"huge", 100000, false}, {"one", 1, true}});
  for (const QRect& box : strip.boxes())
    QVERIFY(box.width() >= 5);
}

void TestDocumentStrip::keyboardMovesAndActivates() {
  DocumentStrip strip;
  strip.resize(800, 50);
  strip.setItems(testdata::documents(5, 2));
  QCOMPARE(strip.focusPolicy(), Qt::StrongFocus);
  QCOMPARE(strip.currentIndex(), 0);
  QSignalSpy moved(&strip, &DocumentStrip::currentIndexChanged);
  QSignalSpy activated(&strip, &DocumentStrip::activated);
  QTest::keyClick(&strip, Qt::Key_Right);
  QTest::keyClick(&strip, Qt::Key_Right);
  QCOMPARE(strip.currentIndex(), 2);
  QTest::keyClick(&strip, Qt::Key_End);
  QCOMPARE(strip.currentIndex(), 4);
  QTest::keyClick(&strip, Qt::Key_Right); // stays on the last one
  QCOMPARE(strip.currentIndex(), 4);
  QTest::keyClick(&strip, Qt::Key_Home);
  QTest::keyClick(&strip, Qt::Key_Return);
  QCOMPARE(moved.count(), 4);
  QCOMPARE(activated.count(), 1);
  QCOMPARE(activated.first().at(0).toInt(), 0);
}

void TestDocumentStrip::clickingChoosesADocument() {
  DocumentStrip strip;
  strip.resize(800, 50);
  strip.setItems(testdata::documents(6, 1));
  const QRect box = strip.boxes()[3];
  QCOMPARE(strip.indexAt(box.center()), 3);
  QTest::mouseClick(&strip, Qt::LeftButton, {}, box.center());
  QCOMPARE(strip.currentIndex(), 3);
  QSignalSpy activated(&strip, &DocumentStrip::activated);
  QTest::mouseDClick(&strip, Qt::LeftButton, {}, strip.boxes()[5].center());
  QCOMPARE(activated.count(), 1);
  QCOMPARE(activated.first().at(0).toInt(), 5);
}

void TestDocumentStrip::tooltipNamesTheDocument() {
  DocumentStrip strip;
  strip.resize(800, 50);
  strip.setItems({{"Alpha", 120, false}, {"Nobel Prize in Physics", 143, true}});
  strip.show();
  QVERIFY(QTest::qWaitForWindowExposed(&strip));
  const QPoint centre = strip.boxes()[1].center();
  QHelpEvent help(QEvent::ToolTip, centre, strip.mapToGlobal(centre));
  QVERIFY(QApplication::sendEvent(&strip, &help));
  QTRY_VERIFY(QToolTip::isVisible());
  const QString text = QToolTip::text();
  QVERIFY2(text.contains("Document 2 (gold)") && text.contains("Nobel Prize in Physics") &&
               text.contains("143 tokens"),
           qPrintable(text));
}

QTEST_MAIN(TestDocumentStrip)
#include "test_document_strip.moc"
