#pragma once
// Runs poslab-cli (the POSLAB_CLI that ctest sets) as a user's script would.
#include "tests/util/TestPaths.h"
#include <QProcess>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

namespace poslab::test {

struct CliRun {
  int exitCode = -1; // -1 when it crashed
  QString out, err;
  nlohmann::json json() const { return nlohmann::json::parse(out.toStdString()); }
};

// A file of the committed demo (resources/demo/), as a command-line argument.
inline QString demoPath(const std::string& rel) {
  return QString::fromStdString(resourcePath("demo/" + rel));
}

inline QString cliPath() {
  return QString::fromLocal8Bit(qgetenv("POSLAB_CLI"));
}

// Any program (e.g. the Python reference), to its end.
inline CliRun runProgram(const QString& program, const QStringList& args, int timeoutMs = 600000) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(timeoutMs))
    qFatal("%s %s did not finish", qPrintable(program), qPrintable(args.join(' ')));
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

inline CliRun cli(const QStringList& args, int timeoutMs = 600000) {
  return runProgram(cliPath(), args, timeoutMs);
}

} // namespace poslab::test
