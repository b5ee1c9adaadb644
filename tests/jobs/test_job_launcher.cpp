// JobLauncher: detached processes that outlive their starter, found again by
// their run folder.
#include "core/jobs/JobLauncher.h"
#include "core/jobs/RunFolderReader.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QtTest/QtTest>
#include <fstream>
#include <unistd.h>

using namespace poslab;
using poslab::test::tempDir;

class TestJobLauncher : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void startsDetachedWithItsOwnSessionAndLog() {
    const std::string run = tempDir("launch");
    const long long pid =
        JobLauncher::start("/bin/sh", {"-c", "echo hello; echo oops >&2; sleep 30"}, run, "cpu");
    QVERIFY(pid > 0);
    QCOMPARE(JobLauncher::owner(run), pid);
    const nlohmann::json launch = JsonFile::readObject(run + "/logs/launch.json");
    QCOMPARE(launch.value("pid", 0LL), pid);
    QCOMPARE(launch.value("device", ""), std::string("cpu"));
    QVERIFY(launch.value("command", "").starts_with("/bin/sh -c 'echo hello;"));
    // Another session: our terminal's hang-ups and our process group's signals miss it.
    const auto log = [&] { return QString::fromStdString(test::fileBytes(run + "/logs/cli.log")); };
    QTRY_VERIFY_WITH_TIMEOUT(log().contains("hello") && log().contains("oops"), 10000);
    QVERIFY(::getsid(static_cast<pid_t>(pid)) != ::getsid(0));
    RunFolderReader r(run);
    r.refresh();
    QCOMPARE(r.snapshot().status, JobStatus::Starting); // no run.json yet, process alive
    QVERIFY(JobLauncher::kill(run));
    QTRY_COMPARE_WITH_TIMEOUT(JobLauncher::owner(run), 0LL, 10000);
    r.refresh();
    QCOMPARE(r.snapshot().status, JobStatus::Failed);
    QVERIFY(!JobLauncher::cancel(run)); // nobody left to ask
  }

  void aMissingProgramIsAnErrorNamingIt() {
    const std::string run = tempDir("missing");
    try {
      JobLauncher::start("/nonexistent/poslab-cli", {"distill"}, run, "cpu");
      QFAIL("started a missing program");
    } catch (const Error& e) {
      QVERIFY2(QString::fromStdString(e.what()).startsWith("/nonexistent/poslab-cli: cannot start: "),
               e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestJobLauncher)
#include "test_job_launcher.moc"
