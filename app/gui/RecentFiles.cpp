#include "app/gui/RecentFiles.h"

#include <QSettings>

namespace poslab {

QStringList RecentFiles::list(const QString& key) {
  return QSettings().value(key).toStringList();
}

QStringList RecentFiles::remember(const QString& key, const QString& path, int most) {
  QStringList recent = list(key);
  recent.removeAll(path);
  recent.prepend(path);
  while (recent.size() > most)
    recent.removeLast();
  QSettings().setValue(key, recent);
  return recent;
}

void RecentFiles::clear(const QString& key) {
  QSettings().remove(key);
}

} // namespace poslab
