// ClusterJobFolder: the folder "Write a cluster job…" makes runs as it is, with
// no PosLab checkout beside it. Its submit.sh is run here under stand-ins for
// Slurm (SlurmStandIns) and under Debian's real torchrun: each trains the demo
// with 2 data-parallel processes from the folder's own copy of the data. Bad
// settings and folders are refused in one line naming them, and a failed
// write leaves nothing behind.
#include "core/jobs/ClusterJobFolder.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "tests/util/CliProcess.h"
#include "tests/util/FileBytes.h"
#include "tests/util/FreePort.h"
#include "tests/util/SlurmStandIns.h"

#include <filesystem>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

std::string templates() {
  return resourcePath("../packaging/cluster");
}

// R1 on the demo, small: 6 questions, 2 steps, evaluated on 3 held-out examples.
JobSettings demoJob() {
  JobSettings j;
  j.method = "r1";
  j.model = fs::absolute(resourcePath("demo/poslab-demo-llama")).string();
  j.data = resourcePath("demo/train.jsonl.gz");
  j.evalData = resourcePath("demo/heldout.jsonl.gz");
  j.options = {{"questions", "6"},
               {"k", "2"},
               {"steps", "2"},
               {"batch", "4"},
               {"seed", "5"},
               {"eval-examples", "3"},
               {"eval-positions", "0,19"}};
  return j;
}

ClusterJob twoCpuProcesses(const std::string& launcher) {
  ClusterJob c;
  c.launcher = launcher;
  c.processesPerNode = 2;
  c.device = "cpu";
  return c;
}

// Runs the folder's submit.sh as a user on the cluster would; "" when it exited 0.
QString submit(const std::string& folder, const QProcessEnvironment& env) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.setWorkingDirectory(QDir::tempPath()); // submit.sh finds its own folder
  p.start("bash", {QString::fromStdString(folder + "/submit.sh")});
  if (!p.waitForFinished(300000)) return "submit.sh did not finish";
  return p.exitCode() == 0 ? QString() : QString::fromUtf8(p.readAllStandardError()).right(3000);
}

QProcessEnvironment clusterEnvironment() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("POSLAB_CLI", cliPath());
  env.insert("MASTER_PORT", QString::number(freePort()));
  env.insert("THREADS", "1");
  return env;
}

} // namespace

class TestClusterJobFolder : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void theFolderHoldsEverything() {
    const std::string folder = tempDir("job-files") + "/job";
    const std::string run = ClusterJobFolder::write(demoJob(), twoCpuProcesses("slurm"), templates(), folder);
    QCOMPARE(run, folder + "/run");
    for (const char* f : {"submit.sh", "poslab-distill.sbatch", "poslab-torchrun.sh", "job.json",
                          "README.txt", "data/train.jsonl.gz", "data/heldout.jsonl.gz"})
      QVERIFY2(fs::is_regular_file(fs::path(folder) / f), f);
    QCOMPARE(fileBytes(fs::path(folder) / "data/train.jsonl.gz"),
             fileBytes(resourcePath("demo/train.jsonl.gz")));
    const std::string submitText = fileBytes(fs::path(folder) / "submit.sh");
    QVERIFY2(submitText.find("exec sbatch --nodes=1 --ntasks-per-node=2 --gpus-per-node=0 --time=24:00:00 "
                             "poslab-distill.sbatch --method r1 --model ") != std::string::npos,
             submitText.c_str());
    QVERIFY2(submitText.find("--data data/train.jsonl.gz --eval-data data/heldout.jsonl.gz") !=
                 std::string::npos,
             submitText.c_str());
    QVERIFY(submitText.find("--out") == std::string::npos); // the batch script sets it: $RUN
    // job.json carries the settings as given, and reads back.
    const nlohmann::json j = JsonFile::readObject(folder + "/job.json");
    QCOMPARE(JobSettings::fromJson(j.at("settings"), "job.json").toJson(), demoJob().toJson());
    QCOMPARE(ClusterJob::fromJson(j.at("cluster"), "job.json").toJson(), twoCpuProcesses("slurm").toJson());
  }

  void submitUnderSlurmTrainsWithTwoRanks() {
    const std::string folder = tempDir("job-slurm") + "/job";
    const std::string run = ClusterJobFolder::write(demoJob(), twoCpuProcesses("slurm"), templates(), folder);
    QProcessEnvironment env = clusterEnvironment();
    env.insert("PATH", QString::fromStdString(slurmStandIns()) + ":" + env.value("PATH"));
    const QString failed = submit(folder, env);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const nlohmann::json runJson = JsonFile::readObject(run + "/run.json");
    QCOMPARE(runJson.value("status", ""), std::string("finished"));
    QVERIFY(fileBytes(fs::path(run) / "logs/rank-1.log").find("rank 1 of 2 (slurm, gloo") !=
            std::string::npos);
    QVERIFY(fs::is_regular_file(fs::path(run) / "eval/step-2/summary.json"));
  }

  void submitUnderTorchrunTrainsWithTwoRanks() {
    const std::string folder = tempDir("job-torchrun") + "/job";
    const std::string run =
        ClusterJobFolder::write(demoJob(), twoCpuProcesses("torchrun"), templates(), folder);
    QVERIFY(fileBytes(fs::path(folder) / "submit.sh").find("export NPROC=2 NNODES=1") != std::string::npos);
    const QString failed = submit(folder, clusterEnvironment());
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(JsonFile::readObject(run + "/run.json").value("status", ""), std::string("finished"));
    QVERIFY(fileBytes(fs::path(run) / "logs/rank-1.log").find("rank 1 of 2 (torchrun, gloo") !=
            std::string::npos);
  }

  void badInputIsRefusedAndLeavesNothing_data() {
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("message");
    QTest::newRow("folder not empty") << "full"
                                      << "is not empty: choose a new folder";
    QTest::newRow("no launch scripts") << "templates"
                                       << "poslab-distill.sbatch: missing";
    QTest::newRow("data missing") << "data"
                                  << "no-such.jsonl: data: not found";
    QTest::newRow("launcher") << "launcher"
                              << "cluster job: launcher: is \"mpirun\"";
    QTest::newRow("zero processes") << "processes"
                                    << "cluster job: processes_per_node: must be from 1";
    QTest::newRow("time limit") << "time"
                                << "cluster job: time_limit: is \"1 day\"";
    QTest::newRow("partition") << "partition"
                               << "cluster job: partition: is \"a;rm -rf\"";
  }
  void badInputIsRefusedAndLeavesNothing() {
    QFETCH(QString, what);
    QFETCH(QString, message);
    const std::string parent = tempDir("job-bad");
    const std::string folder = parent + "/job";
    JobSettings job = demoJob();
    ClusterJob c = twoCpuProcesses("slurm");
    std::string from = templates();
    if (what == "full") {
      fs::create_directories(folder);
      std::ofstream(folder + "/keep.txt") << "mine";
    }
    if (what == "templates") from = parent;
    if (what == "data") job.evalData = parent + "/no-such.jsonl";
    if (what == "launcher") c.launcher = "mpirun";
    if (what == "processes") c.processesPerNode = 0;
    if (what == "time") c.timeLimit = "1 day";
    if (what == "partition") c.partition = "a;rm -rf";
    try {
      ClusterJobFolder::write(job, c, from, folder);
      QFAIL("accepted");
    } catch (const Error& e) {
      QVERIFY2(QString(e.what()).contains(message), e.what());
      QVERIFY(!QString(e.what()).contains('\n'));
    }
    if (what == "full")
      QCOMPARE(fileBytes(fs::path(folder) / "keep.txt"),
               std::string("mine")); // nothing of the user's is lost
    else
      QVERIFY2(!fs::exists(folder), "a failed write left the folder behind");
  }

  void clusterJsonFieldsAreChecked() {
    for (const auto& [json, message] :
         {std::pair{R"({"nodes": "two"})", "job.json: nodes: has the wrong type (string)"},
          std::pair{R"({"processes_per_node": 1e300})", "job.json: processes_per_node: is 1e+300"},
          std::pair{R"({"nodes": 0})", "job.json: nodes: must be from 1 to 4096"}}) {
      try {
        ClusterJob::fromJson(nlohmann::json::parse(json), "job.json");
        QFAIL(json);
      } catch (const Error& e) {
        QVERIFY2(QString(e.what()).startsWith(message), e.what());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestClusterJobFolder)
#include "test_cluster_job_folder.moc"
