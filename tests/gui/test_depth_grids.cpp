// A depth × context-length study read back from its run folders: documents per
// prompt from each run's settings (or its positions), the grid's cells equal
// the runs' per-position counts, positions a context does not have stay empty,
// studies group by folder name, and the depth view reopens a saved study.
#include "app/gui/DepthGrids.h"
#include "app/gui/DepthPanel.h"
#include "app/gui/SweepCurves.h"
#include "tests/gui/RunFolderData.h"
#include "tests/util/TestPaths.h"
#include "widgets/DepthHeatmap.h"
#include "widgets/MatrixHeatmap.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <cmath>
#include <fstream>

using namespace poslab;

class TestDepthGrids : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    workspace_ = QString::fromStdString(test::tempDir("depth-grids"));
    const std::string ws = workspace_.toStdString();
    // 2 documents: 3 examples; 3 documents: 4 examples (accuracy 3/4, 1/4, 2/4 by position).
    k2_ = QString::fromStdString(
        test::writeRun(ws, "depth-20260101-000000-t-k2", test::records({{1, 0}, {1, 1}, {0, 0}}), 2));
    k3_ = QString::fromStdString(test::writeRun(
        ws, "depth-20260101-000000-t-k3", test::records({{1, 0, 1}, {1, 0, 0}, {1, 1, 1}, {0, 0, 0}}), 3));
    test::writeRun(ws, "depth-20250101-000000-old-k5", test::records({{1, 1, 1, 1, 1}}), 5);
    test::writeRun(ws, "sweep-20260101-000000-t", test::records({{1}}), 1); // not a depth study
  }

  void documentsFromSettingsOrPositions() {
    QCOMPARE(DepthGrids::documentCount(k3_).value_or(-1), 3);
    // docs 0 (the whole example): the positions swept say how many documents there were.
    const QString all = QString::fromStdString(
        test::writeRun(test::tempDir("depth-grids-all"), "depth-x-k4", test::records({{1, 0, 0, 1}}), 0));
    QCOMPARE(DepthGrids::documentCount(all).value_or(-1), 4);
    QString error;
    QVERIFY(!DepthGrids::documentCount(workspace_ + "/runs/none", &error));
    QVERIFY2(error.contains("summary.json"), qPrintable(error));
  }

  // A number an int cannot hold is refused with the file and field, not
  // converted with undefined behaviour (UBSan in the results_json fuzz build,
  // tests/fuzz/corpus/results_json/bug-summary-*).
  void outOfRangeNumbersNameTheField_data() {
    QTest::addColumn<QString>("summary");
    QTest::addColumn<QString>("curveError"); // SweepCurves::fromRunFolder, after "<run>/summary.json: "
    QTest::addColumn<QString>("countError"); // DepthGrids::documentCount; "" when it reads a count
    const QString rest = R"("correct": 1, "accuracy": 1, "ci_low": 0, "ci_high": 1)";
    QTest::newRow("n 1e300") << R"({"positions": [{"position": 0, "n": 1e300, )" + rest + "}]}"
                             << "positions[0].n: expected a whole number, found 1e+300"
                             << "";
    QTest::newRow("position past int")
        << R"({"positions": [{"position": 2147483647, "n": 1, )" + rest + "}]}"
        << ""
        << "positions[0].position: expected a document index, found 2147483647";
    QTest::newRow("position a float") << R"({"positions": [{"position": -1e300, "n": 1, )" + rest + "}]}"
                                      << "positions[0].position: expected a whole number, found -1e+300"
                                      << "positions[0].position: expected a document index, found -1e+300";
    QTest::newRow("docs past int") << R"({"settings": {"docs": 4294967296}, "positions": []})"
                                   << ""
                                   << "settings.docs: 4294967296 is out of range";
  }
  void outOfRangeNumbersNameTheField() {
    QFETCH(QString, summary);
    QFETCH(QString, curveError);
    QFETCH(QString, countError);
    const QString run = QString::fromStdString(test::tempDir("depth-grids-range"));
    std::ofstream((run + "/summary.json").toStdString()) << summary.toStdString();
    const QString file = run + "/summary.json: ";
    // expected "": the reader succeeds; else its error after the file name.
    auto check = [&](bool read, const QString& error, const QString& expected) {
      if (expected.isEmpty())
        QVERIFY2(read, qPrintable(error));
      else
        QCOMPARE(read ? QString("read") : error, file + expected);
    };
    QString curveGot, countGot;
    check(SweepCurves::fromRunFolder(run, &curveGot).has_value(), curveGot, curveError);
    check(DepthGrids::documentCount(run, &countGot).has_value(), countGot, countError);
  }

  void gridHoldsTheRunsCounts() {
    QString error;
    const auto grid = DepthGrids::fromRunFolders({k3_, k2_}, &error);
    QVERIFY2(grid, qPrintable(error));
    QCOMPARE(grid->documentCounts, (QVector<int>{2, 3}));
    QCOMPARE(grid->maxPositions, 3);
    QCOMPARE(grid->cell(0, 0).n, 3);
    QCOMPARE(grid->cell(0, 0).correct, 2);
    QCOMPARE(grid->cell(0, 1).correct, 1);
    QCOMPARE(grid->cell(0, 2).n, 0); // 2 documents have no third position
    QCOMPARE(grid->cell(1, 0).correct, 3);
    QCOMPARE(grid->cell(1, 1).correct, 1);
    QCOMPARE(grid->cell(1, 2).correct, 2);
    QCOMPARE(grid->cell(1, 2).n, 4);
    QCOMPARE(grid->cell(1, 2).accuracy, 0.5);
  }

  void studiesGroupByName() {
    QCOMPARE(DepthGrids::studies(workspace_),
             (QStringList{"depth-20260101-000000-t", "depth-20250101-000000-old"})); // newest first
    QCOMPARE(DepthGrids::studyRuns(workspace_, "depth-20260101-000000-t"), (QStringList{k2_, k3_}));
    QCOMPARE(DepthGrids::runDir(workspace_, "depth-20260101-000000-t", 2), k2_);
  }

  void viewReopensASavedStudy() {
    DepthPanel panel;
    panel.setWorkspace(workspace_);
    auto* saved = panel.findChild<QComboBox*>("depthStudies");
    QCOMPARE(saved->count(), 2);
    QSignalSpy shown(&panel, &DepthPanel::studyShown);
    panel.showStudy("depth-20260101-000000-t");
    QCOMPARE(shown.count(), 1);
    QCOMPARE(panel.shownRuns(), (QStringList{k2_, k3_}));
    MatrixHeatmap* map = panel.heatmap()->heatmap();
    QCOMPARE(map->drawnSize(), QSize(2, 3));
    const HeatmapMatrix& m = map->matrix();
    QCOMPARE(m.at(2, 1), 50.0);              // 3 documents, gold third: 2 of 4
    QVERIFY(std::isnan(m.at(2, 0)));         // 2 documents have no third position
    QCOMPARE(m.at(0, 0), 100.0 * 2.0 / 3.0); // 2 documents, gold first: 2 of 3
  }

  void malformedCountsAreRefused() {
    DepthPanel panel;
    panel.setDocumentCounts("5, 10,20 ,10");
    QCOMPARE(panel.documentCounts(), (QVector<int>{5, 10, 20}));
    panel.setDocumentCounts("5;10");
    QVERIFY(panel.documentCounts().isEmpty());
    SweepSettings random;
    random.randomDistractors = 3;
    random.positions = {0};
    QCOMPARE(DepthPanel::withDocuments(random, 7).randomDistractors, size_t(7));
    QVERIFY(DepthPanel::withDocuments(random, 7).positions.empty());
    QCOMPARE(DepthPanel::withDocuments(SweepSettings{}, 7).docs, size_t(7));
  }

private:
  QString workspace_, k2_, k3_;
};

QTEST_MAIN(TestDepthGrids)
#include "test_depth_grids.moc"
