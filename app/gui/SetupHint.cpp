#include "app/gui/SetupHint.h"

#include <QLabel>

namespace poslab {

void SetupHint::show(QLabel* status, const QStringList& hints, bool modelReady,
                     const std::function<SweepSettings()>& settings) {
  if (!status->text().isEmpty() && !hints.contains(status->text())) return; // a result or a message
  const bool hasData = settings && !settings().dataPath.empty();
  status->setText(hints.value(!modelReady ? 0 : !hasData ? 1 : 2));
}

} // namespace poslab
