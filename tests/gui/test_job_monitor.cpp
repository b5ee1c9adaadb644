// JobMonitor under the failures it can observe in a workspace: a corrupt
// events line, a run folder deleted under it, a damaged queue file, a job
// that dies. Each becomes a status or a message; nothing throws, nothing is lost.
// And runs from elsewhere: a run folder outside the workspace (a cluster job's
// run/) is followed once asked, and the launch dialog's "Cluster job…" writes a
// job folder whose run/ the panel then follows.
#include "app/gui/ClusterJobDialog.h"
#include "app/gui/JobLaunchDialog.h"
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
#include <QLineEdit>
#include <QPushButton>
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

  void aRunFolderFromElsewhereIsFollowed() {
    TrainPanel panel;
    panel.setWorkspace(workspace_);
    QCOMPARE(panel.jobTable()->rowCount(), 0);
    // Not there yet (the cluster has not started the job): followed, listed once it appears.
    const std::string elsewhere = test::tempDir("followed-elsewhere") + "/job/run";
    QString error;
    QVERIFY2(panel.monitor()->follow(QString::fromStdString(elsewhere), &error), qPrintable(error));
    QCOMPARE(panel.jobTable()->rowCount(), 0);
    fs::create_directories(elsewhere);
    JsonFile::write(elsewhere + "/run.json", nlohmann::json{{"kind", "distill"},
                                                            {"status", "training"},
                                                            {"device", "cuda"},
                                                            {"distill", {{"method", "r1"}}},
                                                            {"settings", {{"total_steps", 40}}}});
    panel.monitor()->poll();
    QCOMPARE(panel.jobTable()->rowCount(), 1);
    QVERIFY(panel.selectRun(QString::fromStdString(elsewhere)));
    // A second panel on the same workspace (the GUI reopened) follows it too.
    TrainPanel again;
    again.setWorkspace(workspace_);
    QCOMPARE(again.jobTable()->rowCount(), 1);
  }

  void aDamagedFollowedListIsShownAndKept() {
    const std::string list = (fs::path(workspace_.toStdString()) / "jobs" / "followed.json").string();
    fs::create_directories(fs::path(list).parent_path());
    std::ofstream(list) << R"({"runs": [3]})";
    TrainPanel panel;
    panel.setWorkspace(workspace_);
    QCOMPARE(panel.jobTable()->rowCount(), 1);
    QVERIFY(panel.jobTable()->item(0, 2)->text().contains("failed"));
    QString error;
    QVERIFY(!panel.monitor()->follow("/somewhere/run", &error));
    QVERIFY2(error.contains("followed.json: runs[0]: is not a folder path"), qPrintable(error));
    QCOMPARE(test::fileBytes(list), std::string(R"({"runs": [3]})")); // not rewritten
  }

  void theLaunchDialogWritesAClusterJob() {
    const QString model = QString::fromStdString(test::resourcePath("demo/poslab-demo-llama"));
    const QString heldOut = QString::fromStdString(test::resourcePath("demo/heldout.jsonl.gz"));
    JobLaunchDialog launch(JobLaunchDialog::defaultsFor(model, heldOut), "poslab-cli", "/tmp/runs/distill-%1");
    QDialog* opened = nullptr;
    connect(&launch, &JobLaunchDialog::clusterDialogOpened, this, [&](QDialog* d) { opened = d; });
    launch.show();
    launch.clusterButton()->click();
    auto* cluster = qobject_cast<ClusterJobDialog*>(opened);
    QVERIFY(cluster);
    // A folder that is not empty is refused in the dialog, which stays open.
    const std::string parent = test::tempDir("cluster-dialog");
    std::ofstream(parent + "/mine.txt") << "x";
    cluster->folderField()->setText(QString::fromStdString(parent));
    cluster->accept();
    QVERIFY(cluster->isVisible());
    auto* error = cluster->findChild<QLabel*>("clusterJobError");
    QVERIFY2(error->text().contains("is not empty"), qPrintable(error->text()));
    QCOMPARE(test::fileBytes(parent + "/mine.txt"), std::string("x"));
    // A new folder: written, and the launch dialog closes with the run to follow, nothing started.
    const std::string folder = parent + "/job";
    cluster->folderField()->setText(QString::fromStdString(folder));
    cluster->accept();
    QCOMPARE(launch.result(), int(QDialog::Accepted));
    QCOMPARE(launch.clusterRunDir(), QString::fromStdString(folder + "/run"));
    for (const char* f : {"submit.sh", "poslab-distill.sbatch", "poslab-torchrun.sh", "job.json", "README.txt",
                          "data/train.jsonl.gz", "data/heldout.jsonl.gz"})
      QVERIFY2(fs::is_regular_file(fs::path(folder) / f), f);
    QVERIFY(test::fileBytes(folder + "/submit.sh").find("--preset demo") != std::string::npos);
  }

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
