#pragma once
// A depth × context-length study as the depth heatmap's plain grid: one sweep
// run per number of documents, read back from the runs' summary.json (so a
// study reopens after a restart exactly as it was drawn).
#include "widgets/DepthGrid.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace poslab {

class DepthGrids {
public:
  // Documents per prompt of a run: settings.docs, else random_distractors, else
  // the positions it swept (every position of the example).
  static std::optional<int> documentCount(const QString& runDir, QString* error = nullptr);
  // Columns sorted by document count; a later run with the same count replaces an earlier one.
  static std::optional<DepthGrid> fromRunFolders(const QStringList& runDirs, QString* error = nullptr);
  // Run folders named <study>-k<K> under <workspace>/runs, grouped by study id (newest first).
  static QStringList studies(const QString& workspace);
  static QStringList studyRuns(const QString& workspace, const QString& study);
  // The folder of the sweep with `documents` documents in `study`.
  static QString runDir(const QString& workspace, const QString& study, int documents);
};

} // namespace poslab
