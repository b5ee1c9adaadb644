#include "core/util/Error.h"
#include "tests/util/TestPaths.h"

using namespace poslab;

class TestError : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void messageNamesFileAndField_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<QString>("expected");
    QTest::newRow("all") << "config.json" << "hidden_size" << "missing" << "config.json: hidden_size: missing";
    QTest::newRow("no field") << "a.gguf" << "" << "truncated" << "a.gguf: truncated";
    QTest::newRow("no file") << "" << "ids" << "empty" << "ids: empty";
  }
  void messageNamesFileAndField() {
    QFETCH(QString, file);
    QFETCH(QString, field);
    QFETCH(QString, detail);
    QFETCH(QString, expected);
    try {
      fail(file.toStdString(), field.toStdString(), detail.toStdString());
      QFAIL("fail() returned");
    } catch (const Error& e) {
      QCOMPARE(QString::fromStdString(e.what()), expected);
    }
  }
};

QTEST_GUILESS_MAIN(TestError)
#include "test_error.moc"
