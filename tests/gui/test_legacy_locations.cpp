// Earlier versions kept the workspace in <data>/PosLab/PosLab (organization and
// application both "PosLab") and the settings in <config>/PosLab/PosLab.conf.
// With no organization name the data folder is <data>/PosLab: the old folder's
// workspace and the old settings move there once, nothing the new place already
// has is overwritten, and QSettings keeps working on the organization domain.
#include "app/gui/LegacyLocations.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest/QtTest>

using namespace poslab;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(text);
}

QByteArray readFile(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestLegacyLocations : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setOrganizationDomain("poslab.test");
    QCoreApplication::setApplicationName("test_legacy_locations");
  }

  void init() {
    // Hermetic (test-mode folders), emptied before every function.
    QDir(data()).removeRecursively();
    QDir(old()).removeRecursively();
    QFile::remove(QSettings().fileName());
    QFile::remove(oldSettings());
  }

  void dataFolderIsNamedOnce() {
    const QString generic = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    QCOMPARE(data(), QDir(generic).filePath(QCoreApplication::applicationName()));
  }

  void movesTheWorkspaceAndSettingsOnce() {
    writeFile(old() + "/workspace/runs/sweep-1/records.jsonl", "{\"example\": 0}\n");
    {
      QSettings before(LegacyLocations::oldOrganization(), QCoreApplication::applicationName());
      before.setValue("recentModels", QStringList{"model.gguf"});
    }
    QVERIFY(QFileInfo(oldSettings()).isFile());

    QCOMPARE(LegacyLocations::migrate(), QString());
    QCOMPARE(readFile(data() + "/workspace/runs/sweep-1/records.jsonl"), QByteArray("{\"example\": 0}\n"));
    QVERIFY(!QFileInfo::exists(old()));
    QVERIFY(!QFileInfo::exists(oldSettings()));
    QSettings settings;
    QCOMPARE(settings.status(), QSettings::NoError);
    QCOMPARE(settings.value("recentModels").toStringList(), QStringList{"model.gguf"});

    // Once: a second start finds nothing to move and changes nothing.
    QCOMPARE(LegacyLocations::migrate(), QString());
    QCOMPARE(readFile(data() + "/workspace/runs/sweep-1/records.jsonl"), QByteArray("{\"example\": 0}\n"));
  }

  void keepsWhatTheNewPlaceHas() {
    writeFile(old() + "/workspace/runs/old-run/records.jsonl", "old\n");
    writeFile(data() + "/workspace/runs/new-run/records.jsonl", "new\n");
    QCOMPARE(LegacyLocations::migrate(), QString());
    QCOMPARE(readFile(data() + "/workspace/runs/new-run/records.jsonl"), QByteArray("new\n"));
    QVERIFY(!QFileInfo::exists(data() + "/workspace/runs/old-run"));
    QCOMPARE(readFile(old() + "/workspace/runs/old-run/records.jsonl"), QByteArray("old\n"));
  }

  void nothingToMove() {
    QCOMPARE(LegacyLocations::migrate(), QString());
    QVERIFY(!QFileInfo::exists(old()));
    QSettings().setValue("k", 1);
    QCOMPARE(QSettings().value("k").toInt(), 1);
  }

private:
  static QString data() { return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation); }
  static QString old() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(LegacyLocations::oldOrganization() + "/" + QCoreApplication::applicationName());
  }
  static QString oldSettings() {
    return QSettings(LegacyLocations::oldOrganization(), QCoreApplication::applicationName()).fileName();
  }
};

QTEST_MAIN(TestLegacyLocations)
#include "test_legacy_locations.moc"
