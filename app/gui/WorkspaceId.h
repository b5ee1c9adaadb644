#pragma once
// The ids of what PosLab keeps in the workspace (sweep runs, depth studies,
// aggregates): "<kind>-yyyyMMdd-HHmmss-<data stem>", so a folder listing sorted
// by name, reversed, is newest first, and the data file is recognisable.
#include <QChar>
#include <QString>
#include <functional>

namespace poslab {

class WorkspaceId {
public:
  // The data stem is the file name up to its first dot ("heldout.jsonl.gz" → "heldout").
  // While `taken(id)` says an id is in use (two starts in one second), "<sep>2",
  // "<sep>3", … is appended.
  static QString make(const QString& kind, const QString& dataPath, QChar separator,
                      const std::function<bool(const QString&)>& taken);
};

} // namespace poslab
