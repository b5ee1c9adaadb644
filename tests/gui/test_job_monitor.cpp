// JobMonitor under the failures it can observe in a workspace: a corrupt
// events line, a run folder deleted under it, a damaged queue file, a job
// that dies. Each becomes a status or a message; nothing throws, nothing is lost.
#include "app/gui/JobMonitor.h"
#include "app/gui/JobPage.h"
#include "app/gui/TrainPanel.h"
#include "core/jobs/JobLauncher.h"
#include "core/jobs/JobQueue.h"
#include "core/util/JsonFile.h"
#include "tests/gui/GuiTestSettings.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QLabel>
#include <QTableWidget>
#include <QtTest/QtTest>
#include <filesystem>
#include <fstream>

using namespace poslab;
namespace fs = std::filesystem;

namespace {

std::string fakeRun(const QString& workspace, const std::string& name, const std::string& status) {
  const std::string run = (fs::path(workspace.toStdString()) / "runs" / name).string();
  fs::create_directories(run);
  JsonFile::write(run + "/run.json", nlohmann::json{{"kind", "distill"},
                                                    {"status", status},
                                                    {"device", "cpu"},
                                                    {"distill", {{"method", "r1"}}},
                                                    {"settings", {{"total_steps", 4}}}});
  return run;
}

} // namespace

class TestJobMonitor : public QObject {
  Q_OBJECT
private:
  QString workspace_;

private Q_SLOTS:
  void init() { workspace_ = test::isolatedWorkspace("test_job_monitor", "job-monitor"); }

  void aCorruptEventLineIsShownNotThrown() {
    const std::string run = fakeRun(workspace_, "distill-a", "finished");
    std::ofstream(run + "/events.jsonl") << R"({"event":"step","unix_time":1,"step":1,"loss":2.0})"
                                            "\n{not json\n"
                                         << R"({"event":"step","unix_time":2,"step":2,"loss":1.0})"
                                            "\n";
    TrainPanel panel;
    panel.setWorkspace(workspace_);
    QCOMPARE(panel.jobTable()->rowCount(), 1);
    QVERIFY(panel.selectRun(QString::fromStdString(run)));
    const JobSnapshot& shown = panel.page()->snapshot();
    QCOMPARE(shown.steps.size(), size_t{2});
    QCOMPARE(shown.problems.size(), size_t{1});
    // The page says which line could not be read.
    bool said = false;
    for (QLabel* label : panel.page()->findChildren<QLabel*>())
      said = said || label->text().contains("events.jsonl: line 2");
    QVERIFY(said);
  }

  void aRunFolderDeletedUnderItLeavesTheList() {
    const std::string run = fakeRun(workspace_, "distill-b", "finished");
    fakeRun(workspace_, "distill-c", "cancelled");
    TrainPanel panel;
    panel.setWorkspace(workspace_);
    QCOMPARE(panel.jobTable()->rowCount(), 2);
    QVERIFY(panel.selectRun(QString::fromStdString(run)));
    fs::remove_all(run);
    panel.monitor()->poll();
    QCOMPARE(panel.jobTable()->rowCount(), 1);
    QVERIFY(panel.monitor()->job(QString::fromStdString(run)) == nullptr);
  }

  void aDamagedQueueIsShownAndKept() {
    JobMonitor monitor;
    monitor.setWorkspace(workspace_);
    fs::create_directories(fs::path(monitor.queuePath().toStdString()).parent_path());
    std::ofstream(monitor.queuePath().toStdString()) << R"({"jobs": [{"run": 3}]})";
    monitor.poll();
    QCOMPARE(monitor.jobs().size(), size_t{1});
    QCOMPARE(monitor.jobs()[0].status, JobStatus::Failed);
    QVERIFY2(QString::fromStdString(monitor.jobs()[0].statusDetail).contains("queue.json"),
             monitor.jobs()[0].statusDetail.c_str());
    // A job that has to wait is refused rather than written over the damaged file
    // (the device is made busy by a live stand-in owner, so the job would queue).
    QString error;
    const std::vector<std::string> args{"distill", "--help"};
    const std::string busy = fakeRun(workspace_, "distill-live", "training");
    JobLauncher::start("/bin/sh", {"-c", "sleep 30"}, busy, "cpu");
    monitor.poll();
    QVERIFY(monitor.deviceBusy("cpu"));
    QVERIFY(!monitor.launch(args, QDir(workspace_).filePath("runs/next"), "cpu", &error));
    QVERIFY2(error.contains("queue.json"), qPrintable(error));
    QCOMPARE(QString::fromStdString(test::fileBytes(monitor.queuePath().toStdString())),
             QString(R"({"jobs": [{"run": 3}]})"));
    QVERIFY(JobLauncher::kill(busy));
  }

  void aJobThatDiesBeforeRunJsonFailsWithItsLastWords() {
    JobMonitor monitor;
    monitor.setWorkspace(workspace_);
    const QString run = QDir(workspace_).filePath("runs/distill-bad");
    // What poslab-cli prints for a bad option, from a stand-in that then exits.
    QString error;
    qputenv("POSLAB_CLI", "/bin/sh");
    QVERIFY2(monitor.launch({"-c", "echo \"--lr: 'fast' is not a number\" >&2; exit 2"}, run, "cpu", &error),
             qPrintable(error));
    qunsetenv("POSLAB_CLI");
    QTRY_VERIFY_WITH_TIMEOUT(monitor.job(run) && monitor.job(run)->status == JobStatus::Failed, 20'000);
    QCOMPARE(monitor.job(run)->statusDetail, std::string("--lr: 'fast' is not a number"));
  }
};

QTEST_MAIN(TestJobMonitor)
#include "test_job_monitor.moc"
