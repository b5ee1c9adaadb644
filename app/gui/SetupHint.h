#pragma once
// A view's status line before its first result says what is missing (a model, a
// dataset) or that all is set. The three hints differ per view; the choice and the
// rule "never overwrite a result or a message" are here, once.
#include "core/sweep/SweepSettings.h"

#include <QStringList>
#include <functional>

class QLabel;

namespace poslab {

class SetupHint {
public:
  // hints: {no model, no dataset, ready}. `settings` is where the view gets its data from
  // (the Sweep view); it may be empty.
  static void show(QLabel* status, const QStringList& hints, bool modelReady,
                   const std::function<SweepSettings()>& settings);
};

} // namespace poslab
