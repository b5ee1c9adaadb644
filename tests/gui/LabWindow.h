#pragma once
// The set-up most GUI tests share: a MainWindow shown at a given size, exposed,
// with a model opened and ready (loaded on the engine's worker thread).
#include "app/gui/MainWindow.h"

#include <QSignalSpy>
#include <QSize>
#include <QString>
#include <QtTest/QtTest>

namespace poslab::test {

// False when the window was not exposed or the model was not ready within timeoutMs.
inline bool showWithModel(MainWindow& window, const QString& model, QSize size = {1400, 900},
                          int timeoutMs = 60'000) {
  window.resize(size);
  window.show();
  if (!QTest::qWaitForWindowExposed(&window)) return false;
  QSignalSpy ready(&window, &MainWindow::modelReady);
  window.openModel(model);
  return QTest::qWaitFor([&] { return ready.count() == 1; }, timeoutMs);
}

} // namespace poslab::test
