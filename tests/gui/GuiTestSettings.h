#pragma once
// One set-up for GUI tests: QSettings in a test-only folder, cleared, and a fresh
// workspace folder the app's run lists read from.
#include "tests/util/TestPaths.h"

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

namespace poslab::test {

inline QString isolatedWorkspace(const char* application, const std::string& folder) {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName("PosLabTest");
  QCoreApplication::setApplicationName(application);
  QSettings().clear();
  const QString workspace = QString::fromStdString(tempDir(folder));
  QSettings().setValue("workspace", workspace);
  return workspace;
}

} // namespace poslab::test
