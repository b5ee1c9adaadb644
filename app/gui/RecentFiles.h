#pragma once
// A most-recent-first list of paths kept in QSettings under one key (recent
// models, recent datasets): survives a restart, no duplicates, bounded.
#include <QString>
#include <QStringList>

namespace poslab {

class RecentFiles {
public:
  static QStringList list(const QString& key);
  // Moves (or adds) `path` to the front, keeps at most `most`; the new list.
  static QStringList remember(const QString& key, const QString& path, int most);
  static void clear(const QString& key);
};

} // namespace poslab
