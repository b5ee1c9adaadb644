#pragma once
// Aggregates kept in the workspace, like sweeps are kept as run folders, so a
// result reopens after a restart exactly as it was drawn:
// <workspace>/aggregates/<id>/aggregate.json (format: docs/DATA-FORMAT.md,
// "Aggregate folders"). Written atomically (temporary file, then rename);
// reading checks every field and names the file and the field that is wrong.
#include "app/gui/SavedAggregate.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

namespace poslab {

class AggregateStore {
public:
  static constexpr const char* kFormat = "poslab-aggregate";
  static constexpr int kFormatVersion = 1;

  static QString file(const QString& workspace, const QString& id);
  // "aggregate-yyyyMMdd-HHmmss-<data stem>", not yet used in the workspace.
  static QString newId(const QString& workspace, const QString& dataPath);
  // Ids of the folders holding an aggregate.json, newest first.
  static QStringList list(const QString& workspace);
  // Writes `aggregate` under its id (which must be set); false with a one-line reason.
  static bool save(const QString& workspace, const SavedAggregate& aggregate, QString* error = nullptr);
  static std::optional<SavedAggregate> load(const QString& workspace, const QString& id,
                                            QString* error = nullptr);
  // The export bundle's manifest entry for the figure: settings, model and data
  // with fingerprints, as saved (not whatever model is loaded now).
  static QJsonObject bundleSource(const SavedAggregate& aggregate);

  // "last", "question", "answer" (the manifest's and the file's words).
  static QString queryName(QuerySelection query);
  static std::optional<QuerySelection> queryFromName(const QString& name);
};

} // namespace poslab
