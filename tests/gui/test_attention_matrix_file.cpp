// AttentionMatrixFile: the attention matrix `poslab-cli attention --aggregate`
// writes, read back field by field. A count no int holds, or given as a float,
// is refused with the file and the field (UBSan in the results_json fuzz build:
// "documents": 1e300 and "counts": [1e300] were converted with undefined
// behaviour, tests/fuzz/corpus/results_json/bug-matrix-*).
#include "app/gui/AttentionMatrixFile.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>

using namespace poslab;

class TestAttentionMatrixFile : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void read_data() {
    QTest::addColumn<QString>("matrix"); // the "matrix" object
    QTest::addColumn<QString>("error");  // after "<file>: "; "" when it reads
    const QString mass = R"("mass": {"shape": [2, 2], "data": [[0.5, 0.25], [0.125, 0.75]]})";
    QTest::newRow("good") << R"({"documents": 2, "positions": 2, "counts": [3, 4], )" + mass + "}"
                          << "";
    QTest::newRow("documents 1e300") << R"({"documents": 1e300, "positions": 2, )" + mass + "}"
                                     << "matrix.documents: expected a whole number, found 1e+300";
    QTest::newRow("documents negative") << R"({"documents": -2, "positions": 2, )" + mass + "}"
                                        << "matrix.documents: expected a whole number, found -2";
    QTest::newRow("layers a float") << R"({"documents": 2, "positions": 2, "layers": 1.5, )" + mass + "}"
                                    << "matrix.layers: expected a whole number, found 1.5";
    QTest::newRow("counts 1e300") << R"({"documents": 2, "positions": 2, "counts": [1, 1e300], )" + mass + "}"
                                  << "matrix.counts[1]: expected a whole number, found 1e+300";
    QTest::newRow("counts past int") << R"({"documents": 2, "positions": 2, "counts": [2147483648, 1], )" +
                                            mass + "}"
                                     << "matrix.counts[0]: expected a whole number, found 2147483648";
    QTest::newRow("counts too few") << R"({"documents": 2, "positions": 2, "counts": [1], )" + mass + "}"
                                    << "matrix.counts: needs one count per position";
  }
  void read() {
    QFETCH(QString, matrix);
    QFETCH(QString, error);
    const std::string file = test::tempDir("attention-matrix") + "/attention-mass.json";
    std::ofstream(file) << R"({"format": "poslab-attention-matrix", "matrix": )" << matrix.toStdString()
                        << "}";
    QString got;
    const auto grid = AttentionMatrixFile::read(QString::fromStdString(file), &got);
    if (error.isEmpty()) {
      QVERIFY2(grid, qPrintable(got));
      QCOMPARE(grid->counts, (QVector<int>{3, 4}));
      QCOMPARE(grid->at(1, 0), 0.125f); // file [document][gold]
    } else {
      QVERIFY(!grid);
      QCOMPARE(got, QString::fromStdString(file + ": ") + error);
    }
  }
};

QTEST_GUILESS_MAIN(TestAttentionMatrixFile)
#include "test_attention_matrix_file.moc"
