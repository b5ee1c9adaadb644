#include "app/gui/LegacyLocations.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace poslab {

QString LegacyLocations::migrate() {
  QStringList failed;
  // Settings first: the workspace a user chose is kept there.
  const QString oldSettings = QSettings(oldOrganization(), QCoreApplication::applicationName()).fileName();
  const QString settings = QSettings().fileName();
  // Registry keys (Windows) and the domain-named plist (macOS, unchanged) are not files to move.
  if (oldSettings != settings && QFileInfo(oldSettings).isFile() && !QFileInfo::exists(settings)) {
    QDir().mkpath(QFileInfo(settings).absolutePath());
    if (QFile::rename(oldSettings, settings))
      QDir().rmdir(QFileInfo(oldSettings).absolutePath()); // only when nothing else is there
    else
      failed << QCoreApplication::translate("LegacyLocations", "cannot move %1 to %2")
                    .arg(QDir::toNativeSeparators(oldSettings), QDir::toNativeSeparators(settings));
  }
  // Data: <generic data>/<organization>/<application> was the folder; now it is one level up.
  const QDir data(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation));
  const QDir old(QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                     .filePath(oldOrganization() + "/" + QCoreApplication::applicationName()));
  if (old == data || !old.exists()) return failed.join('\n');
  QDir().mkpath(data.path());
  for (const QString& entry :
       old.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot)) {
    if (QFileInfo::exists(data.filePath(entry))) continue; // the new place has its own: kept as it is
    if (!QDir().rename(old.filePath(entry), data.filePath(entry)))
      failed << QCoreApplication::translate("LegacyLocations", "cannot move %1 to %2")
                    .arg(QDir::toNativeSeparators(old.filePath(entry)),
                         QDir::toNativeSeparators(data.filePath(entry)));
  }
  QDir().rmdir(old.path()); // only when everything moved
  return failed.join('\n');
}

} // namespace poslab
