#include "app/gui/WorkspaceId.h"

#include <QDateTime>
#include <QFileInfo>

namespace poslab {

QString WorkspaceId::make(const QString& kind, const QString& dataPath, QChar separator,
                          const std::function<bool(const QString&)>& taken) {
  const QString stem = kind + "-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss") + "-" +
                       QFileInfo(dataPath).completeBaseName().section('.', 0, 0);
  QString id = stem;
  for (int n = 2; taken && taken(id); ++n)
    id = stem + separator + QString::number(n);
  return id;
}

} // namespace poslab
