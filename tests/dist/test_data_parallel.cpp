// Data-parallel Pos2Distill on c10d Gloo over the loopback, as users launch it:
// 2 poslab-cli processes started by the test with torchrun's variables, 2 under
// Debian's torchrun (python3 -m torch.distributed.run), and 2 Slurm tasks of
// packaging/cluster/poslab-distill.sbatch (srun and scontrol stood in for). The
// record: N processes give one process's losses and final weights (fp32 to
// 1e-5 over 10 steps; bf16 within its rounding), only rank 0 writes the run
// folder, a run checkpointed by 2 processes resumes with 1 and the other way
// round, and a rank that dies or hangs ends the job within --dist-timeout with
// a message naming it while the last checkpoint stays good for --resume. The
// ranks share the preparation of the distill set and give one process's set
// byte for byte, also when a stopped preparation resumes with 2 processes or 1.
#include "core/train/CheckpointStore.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/TensorLoader.h"
#include "tests/util/CliProcess.h"
#include "tests/util/FileBytes.h"
#include "tests/util/FreePort.h"
#include "tests/util/SlurmStandIns.h"
#include "tests/util/TestPaths.h"

#include <ATen/ATen.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

// Whether this CPU's bf16 GEMMs sum in bf16. Debian's LibTorch 1.13 runs them
// on oneDNN only with AVX-512 (BW, VL, DQ); without it ATen's fallback adds a
// non-transposed product's terms into a bf16 accumulator, so 256 + 1 stays 256
// (relative error 8e-2 at k = 2048 against 4e-3 for one rounding).
bool bf16GemmSumsInBf16() {
  const at::Tensor row = at::ones({1, 512}, at::kBFloat16), column = at::ones({512, 1}, at::kBFloat16);
  return at::matmul(row, column).item<float>() != 512.0f;
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

// A distill job on a prepared set: 10 steps of 8 instances (--out and --threads apart).
QStringList jobArgs(const std::string& set, const QString& method, const QStringList& more = {}) {
  return QStringList{"distill",
                     "--model",
                     demoPath("poslab-demo-llama"),
                     "--set",
                     q(set),
                     "--method",
                     method,
                     "--batch",
                     "8",
                     "--steps",
                     "10",
                     "--lr",
                     "2e-3",
                     "--seed",
                     "5",
                     "--checkpoint-every",
                     "5"} +
         more;
}
QStringList runArgs(const std::string& set, const QString& method, const std::string& out,
                    const QStringList& more = {}) {
  return jobArgs(set, method, more) + QStringList{"--threads", "1", "--out", q(out)};
}

using Processes = std::vector<std::unique_ptr<QProcess>>;

// `world` ranks of poslab-cli with the variables torchrun sets (no agent store).
Processes startRanks(int world, const QStringList& args) {
  const int port = freePort();
  Processes ranks;
  for (int r = 0; r < world; ++r) {
    auto p = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(r));
    env.insert("LOCAL_RANK", QString::number(r));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    p->setProcessEnvironment(env);
    p->start(cliPath(), args);
    if (!p->waitForStarted()) qFatal("poslab-cli did not start");
    ranks.push_back(std::move(p));
  }
  return ranks;
}

// Waits for every rank; "" when all exited 0, else each failing rank's stderr.
QString finish(Processes& ranks, int timeoutMs = 300000) {
  QString errors;
  for (size_t r = 0; r < ranks.size(); ++r) {
    QProcess& p = *ranks[r];
    if (!p.waitForFinished(timeoutMs)) {
      p.kill();
      p.waitForFinished();
      errors += QString("rank %1 did not finish; ").arg(r);
      continue;
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
      errors += QString("rank %1 exited %2: %3; ")
                    .arg(r)
                    .arg(p.exitCode())
                    .arg(QString::fromUtf8(p.readAllStandardError()));
  }
  return errors;
}

QString runRanks(int world, const QStringList& args) {
  Processes ranks = startRanks(world, args);
  return finish(ranks);
}

// Under Debian's torchrun 1.13: its agent hosts the store (TORCHELASTIC_USE_AGENT_STORE).
QString runTorchrun(int world, const QStringList& args) {
  const QStringList launcher = {"-m",
                                "torch.distributed.run",
                                "--no_python",
                                "-r",
                                "1",
                                "-t",
                                "1",
                                "--nproc_per_node",
                                QString::number(world),
                                "--master_addr",
                                "127.0.0.1",
                                "--master_port",
                                QString::number(freePort()),
                                cliPath()};
  const CliRun r = runProgram("/usr/bin/python3", launcher + args);
  return r.exitCode == 0 ? QString()
                         : QString("torchrun exited %1: %2").arg(r.exitCode).arg(r.err.right(3000));
}

// packaging/cluster/poslab-distill.sbatch as Slurm would run it (SlurmStandIns).
QString runSbatch(int world, const QStringList& job, const std::string& out) {
  const std::string bin = slurmStandIns();
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("PATH", q(bin) + ":" + env.value("PATH"));
  env.insert("SLURM_NTASKS", QString::number(world));
  env.insert("SLURM_JOB_NODELIST", "node[1]");
  env.insert("SLURM_CPUS_PER_TASK", "1");
  env.insert("MASTER_PORT", QString::number(freePort()));
  env.insert("RUN", q(out));
  env.insert("POSLAB_CLI", cliPath());
  env.insert("DEVICE", "cpu");
  p.setProcessEnvironment(env);
  const QString script = q(resourcePath("../packaging/cluster/poslab-distill.sbatch"));
  p.start("bash", QStringList{script} + job.mid(1)); // the script says `distill` itself
  if (!p.waitForFinished(300000)) return "the sbatch script did not finish";
  return p.exitCode() == 0 ? QString()
                           : QString("sbatch script exited %1: %2")
                                 .arg(p.exitCode())
                                 .arg(QString::fromUtf8(p.readAllStandardError()));
}

std::vector<nlohmann::json> events(const fs::path& run, const std::string& kind) {
  std::vector<nlohmann::json> out;
  std::ifstream in(run / "events.jsonl");
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    if (e.is_object() && e.value("event", "") == kind) out.push_back(e);
  }
  return out;
}

std::vector<double> losses(const std::string& run) {
  std::vector<double> out;
  for (const nlohmann::json& e : events(run, "step"))
    out.push_back(e.at("loss").get<double>());
  return out;
}

// ||a − b|| / ||a|| over every tensor of two safetensors files with the same names.
double relativeDistance(const std::string& a, const std::string& b) {
  const SafetensorsFile fa(a), fb(b);
  double diff = 0, norm = 0;
  for (const TensorView& v : fa.tensors()) {
    const TensorView* w = fb.find(v.name);
    if (!w) qFatal("%s lacks %s", b.c_str(), v.name.c_str());
    const at::Tensor x = loadTensor(v, fa.mapping(), at::kDouble),
                     y = loadTensor(*w, fb.mapping(), at::kDouble);
    diff += (x - y).pow(2).sum().item<double>();
    norm += x.pow(2).sum().item<double>();
  }
  return std::sqrt(diff / norm);
}

// The worst step's |Δ loss| / |loss| of the reference.
double worstRelative(const std::vector<double>& want, const std::vector<double>& got) {
  double worst = 0;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / std::abs(want[i]));
  return worst;
}

// The worst step's |Δ loss| relative to the run's scale, its first loss: the
// losses fall 100-fold in 10 steps, and a later loss of 0.006 carries the
// absolute rounding of the 1.0 it was computed from.
double worstScaled(const std::vector<double>& want, const std::vector<double>& got) {
  double worst = 0;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - want[i]) / std::abs(want.front()));
  return worst;
}

// Every file of a run folder but the ranks' logs and the lock, relative, sorted.
QStringList files(const std::string& run) {
  QStringList out;
  for (const auto& e : fs::recursive_directory_iterator(run))
    if (e.is_regular_file()) {
      const std::string rel = fs::relative(e.path(), run).string();
      if (!rel.starts_with("logs/")) out << q(rel);
    }
  out.sort();
  return out;
}

int64_t lineCount(const fs::path& file) {
  const std::string text = fileBytes(file);
  return std::count(text.begin(), text.end(), '\n');
}

// Waits until the run wrote a checkpoint event (the job is training); false after timeoutMs.
bool waitForCheckpoint(const std::string& run, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  while (t.elapsed() < timeoutMs) {
    if (!events(run, "checkpoint").empty()) return true;
    QThread::msleep(100);
  }
  return false;
}

} // namespace

class TestDataParallel : public QObject {
  Q_OBJECT
  std::string r1Set_, sftSet_;
  std::map<std::string, std::string> single_; // "method dtype micro" -> its one-process run

  // The one-process run of a method and dtype, made once. micro 4: the two
  // passes of 4 rows that 2 ranks run, one each; 0: one pass of all 8 rows.
  std::string single(const QString& method, const QString& dtype, int micro) {
    const std::string key = (method + "-" + dtype + "-" + QString::number(micro)).toStdString();
    if (!single_.count(key)) {
      const std::string out = tempDir("single-" + key) + "/run";
      const CliRun r = cli(runArgs(method == "r1" ? r1Set_ : sftSet_, method, out,
                                   {"--dtype", dtype, "--micro-batch", QString::number(micro)}));
      if (r.exitCode != 0) qFatal("one-process run failed: %s", qPrintable(r.err));
      single_[key] = out;
    }
    return single_[key];
  }

  // The one-process preparation the sets come from.
  fs::path r1Prepared() const { return fs::path(r1Set_).parent_path(); }

  // An R1 preparation from training data, as initTestCase runs it with 8 questions.
  static QStringList prepareArgs(const std::string& out, const QString& questions = "8") {
    return {"distill",
            "--model",
            demoPath("poslab-demo-llama"),
            "--data",
            demoPath("train.jsonl.gz"),
            "--method",
            "r1",
            "--questions",
            questions,
            "--k",
            "2",
            "--seed",
            "5",
            "--threads",
            "1",
            "--out",
            q(out)};
  }

  // The run's last "prepared" event reports what one process's did, with `resumed` questions read back.
  static void samePreparation(const fs::path& run, const fs::path& one, int64_t resumed) {
    const nlohmann::json got = events(run, "prepared").back(), want = events(one, "prepared").back();
    for (const char* field :
         {"questions", "kept", "dropped", "instances", "student_positions", "stop_reasons"})
      QCOMPARE(got.at(field).dump(), want.at(field).dump());
    QCOMPARE(got.at("resumed").get<int64_t>(), resumed);
  }

private Q_SLOTS:
  void initTestCase() {
    // The sets are prepared once (by one process) and shared by every run.
    for (const char* method : {"r1", "sft"}) {
      const std::string out = tempDir(std::string("prepare-") + method) + "/run";
      QStringList args = prepareArgs(out) + QStringList{"--prepare-only"};
      args[args.indexOf("--method") + 1] = method;
      const CliRun r = cli(args);
      QVERIFY2(r.exitCode == 0, qPrintable(r.err));
      (std::string(method) == "r1" ? r1Set_ : sftSet_) = out + "/distill-set.jsonl";
    }
  }

  void twoProcessesFollowOne_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("dtype");
    QTest::addColumn<QString>("launcher");
    QTest::newRow("r1 f32, ranks started by the test") << "r1"
                                                       << "f32"
                                                       << "env";
    QTest::newRow("r1 f32, torchrun") << "r1"
                                      << "f32"
                                      << "torchrun";
    QTest::newRow("sft f32, ranks started by the test") << "sft"
                                                        << "f32"
                                                        << "env";
    QTest::newRow("sft f32, the sbatch script") << "sft"
                                                << "f32"
                                                << "slurm";
    QTest::newRow("r1 bf16, ranks started by the test") << "r1"
                                                        << "bf16"
                                                        << "env";
    QTest::newRow("sft bf16, torchrun") << "sft"
                                        << "bf16"
                                        << "torchrun";
  }
  void twoProcessesFollowOne() {
    QFETCH(QString, method);
    QFETCH(QString, dtype);
    QFETCH(QString, launcher);
    static int row = 0;
    const std::string two = tempDir("two-" + std::to_string(++row)) + "/run";
    const std::string set = method == "r1" ? r1Set_ : sftSet_;
    const QStringList args = runArgs(set, method, two, {"--dtype", dtype});
    const QString failed = launcher == "torchrun" ? runTorchrun(2, args)
                           : launcher == "slurm" ? runSbatch(2, jobArgs(set, method, {"--dtype", dtype}), two)
                                                 : runRanks(2, args);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const std::vector<double> got = losses(two);
    QCOMPARE(got.size(), size_t(10)); // one step line per step: rank 1 wrote none
    const std::string model = "/model/model.safetensors";

    // Against one process in one pass of 8 rows.
    const std::string whole = single(method, dtype, 0);
    const std::vector<double> want = losses(whole);
    QCOMPARE(want.size(), size_t(10));
    const double scaled = worstScaled(want, got), weights = relativeDistance(whole + model, two + model);
    qInfo("%s: against one pass of 8: worst |Δ loss| / first loss %.3g, per step %.3g; weights %.3g",
          QTest::currentDataTag(), scaled, worstRelative(want, got), weights);
    if (dtype == "f32") {
      QVERIFY2(scaled <= 1e-5, qPrintable(QString::number(scaled)));
      QVERIFY2(weights <= 1e-5, qPrintable(QString::number(weights)));
      // Against one process running the ranks' passes (--micro-batch 4): the same sums, so the same
      // numbers step by step; what is left above is the padding of 8 rows against 4, not the ranks.
      const std::string passes = single(method, dtype, 4);
      const double perStep = worstRelative(losses(passes), got),
                   w = relativeDistance(passes + model, two + model);
      qInfo("%s: against two passes of 4: per step %.3g; weights %.3g", QTest::currentDataTag(), perStep, w);
      QVERIFY2(perStep <= 1e-5, qPrintable(QString::number(perStep)));
      QVERIFY2(w <= 1e-5, qPrintable(QString::number(w)));
    } else {
      // bf16 (unit roundoff 2^-8): one process accumulates its passes' gradients in bf16, the ranks
      // sum theirs in fp32, and 10 steps at lr 2e-3 carry that apart; the same first step, then
      // agreement to bf16's precision. Where bf16 GEMMs also sum in bf16 (no AVX-512), the backward's
      // products round at every term and the runs part further: sft 0.039 and r1 0.010 on an AVX2
      // EPYC, against at most 0.02 with oneDNN's fp32 accumulation.
      QVERIFY2(std::abs(got[0] - want[0]) <= 1e-3 * std::abs(want[0]), qPrintable(QString::number(got[0])));
      const double bound = bf16GemmSumsInBf16() ? 5e-2 : 2e-2;
      QVERIFY2(scaled <= bound, qPrintable(QString::number(scaled)));
      QVERIFY2(weights <= 1e-2, qPrintable(QString::number(weights)));
    }

    // Only rank 0 wrote the run folder: the same files as one process's run, and rank 1's log beside them.
    QCOMPARE(files(two), files(whole));
    const std::string log = fileBytes(fs::path(two) / "logs" / "rank-1.log");
    QVERIFY2(log.find("rank 1 of 2 (" + launcher.toStdString() + ", gloo") != std::string::npos, log.c_str());
    QVERIFY(!fs::exists(fs::path(two) / "logs" / "rank-0.log"));
    const nlohmann::json runJson = JsonFile::readObject(two + "/run.json");
    QCOMPARE(runJson.value("status", ""), std::string("finished"));
  }

  void theRanksShareThePreparation() {
    // From training data: each rank prepares its share of the questions, rank 0 takes the shares
    // in, then both train on the set. prepare.jsonl and the set are one process's byte for byte,
    // with the same report, and the shares are gone.
    const std::string run = tempDir("two-prepare") + "/run";
    const QString failed = runRanks(2, prepareArgs(run) + QStringList{"--batch", "8", "--steps", "2"});
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(fileBytes(fs::path(run) / "distill-set.jsonl"), fileBytes(r1Set_));
    QCOMPARE(fileBytes(fs::path(run) / "prepare.jsonl"), fileBytes(r1Prepared() / "prepare.jsonl"));
    QVERIFY(!fs::exists(fs::path(run) / "prepare"));
    samePreparation(run, r1Prepared(), 0);
    const std::string log = fileBytes(fs::path(run) / "logs" / "rank-1.log");
    QVERIFY2(log.find("share 1 of 2 of the questions: 4 decided now, 0 read back") != std::string::npos,
             log.c_str());
    QCOMPARE(losses(run).size(), size_t(2));
  }

  void aStoppedPreparationResumesWithTwoOrOne() {
    // Rank 1 is asked to stop (SIGTERM) before its share is done: the vote stops both ranks once
    // rank 0 has done its share, and the shares stay. The run then resumes from them with 2
    // processes, or with 1 that takes them in, to one process's set. 24 questions, 12 a rank:
    // a demo question takes about 20 ms, and the stop lands while the second is decided.
    const QStringList only = {"--prepare-only"};
    const std::string reference = tempDir("prepare-24") + "/run";
    const CliRun single = cli(prepareArgs(reference, "24") + only);
    QVERIFY2(single.exitCode == 0, qPrintable(single.err));
    const std::string run = tempDir("prepare-stopped") + "/run";
    Processes ranks = startRanks(2, prepareArgs(run, "24") + only);
    const fs::path share1 = fs::path(run) / "prepare" / "rank-1.jsonl";
    QElapsedTimer clock;
    clock.start();
    std::error_code ec;
    while (fs::file_size(share1, ec) == 0 || ec) {
      QVERIFY2(clock.elapsed() < 120000, "rank 1 decided no question within 2 minutes");
      QThread::msleep(2);
    }
    // Held while its lines are counted, so the stop lands before its share is done.
    const auto rank1 = static_cast<pid_t>(ranks[1]->processId());
    ::kill(rank1, SIGSTOP);
    QThread::msleep(50); // a line being written when it stopped is finished below
    ::kill(rank1, SIGTERM);
    ::kill(rank1, SIGCONT);
    const QString failed = finish(ranks);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const int64_t stoppedAt = lineCount(share1);
    qInfo("rank 1 stopped after %lld of its 12 questions", static_cast<long long>(stoppedAt));
    QVERIFY(stoppedAt >= 1 && stoppedAt < 12);
    QCOMPARE(lineCount(fs::path(run) / "prepare" / "rank-0.jsonl"), int64_t(12));
    QCOMPARE(JsonFile::readObject(run + "/run.json").value("status", ""), std::string("cancelled"));
    QVERIFY(!fs::exists(fs::path(run) / "distill-set.jsonl"));
    QVERIFY(!fs::exists(fs::path(run) / "prepare.jsonl"));

    const std::string copy = tempDir("prepare-stopped-copy") + "/run";
    fs::copy(run, copy, fs::copy_options::recursive);
    const QStringList resume = {"distill", "--resume", "--threads", "1", "--out"};
    const QString two = runRanks(2, resume + QStringList{q(run)});
    QVERIFY2(two.isEmpty(), qPrintable(two));
    const CliRun one = cli(resume + QStringList{q(copy)});
    QVERIFY2(one.exitCode == 0, qPrintable(one.err));
    for (const std::string& resumed : {run, copy}) {
      QCOMPARE(fileBytes(fs::path(resumed) / "distill-set.jsonl"),
               fileBytes(fs::path(reference) / "distill-set.jsonl"));
      QVERIFY(!fs::exists(fs::path(resumed) / "prepare"));
      QCOMPARE(JsonFile::readObject(resumed + "/run.json").value("status", ""), std::string("prepared"));
      samePreparation(resumed, reference, 12 + stoppedAt); // rank 0's share, what rank 1 did before its stop
    }
    // Resumed by 2, prepare.jsonl is one process's too; by 1, its lines in another order.
    QCOMPARE(fileBytes(fs::path(run) / "prepare.jsonl"), fileBytes(fs::path(reference) / "prepare.jsonl"));
    QCOMPARE(sortedLines(fs::path(copy) / "prepare.jsonl"),
             sortedLines(fs::path(reference) / "prepare.jsonl"));
  }

  void theRanksShareTheHeldOutSweeps() {
    // Evaluations before, during and after training, each split across the ranks by example and
    // taken in by rank 0: the same records and summaries as one process's.
    auto args = [&](const std::string& out) {
      return runArgs(r1Set_, "r1", out,
                     {"--eval-data", demoPath("heldout.jsonl.gz"), "--eval-examples", "5", "--eval-positions",
                      "0,9,19", "--eval-every", "2", "--micro-batch", "4"}) +
             QStringList{};
    };
    const std::string one = tempDir("eval-one") + "/run", two = tempDir("eval-two") + "/run";
    QStringList a1 = args(one), a2 = args(two);
    a1[a1.indexOf("--steps") + 1] = "4";
    a2[a2.indexOf("--steps") + 1] = "4";
    const CliRun r = cli(a1);
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString failed = runRanks(2, a2);
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    for (const char* step : {"step-0", "step-2", "step-4"}) {
      const fs::path eval = fs::path("eval") / step;
      // Per position: the same n and correct answers. The answer log-probabilities agree to
      // rounding only: a share batches other examples together (other padding).
      const nlohmann::json s1 = JsonFile::readObject((fs::path(one) / eval / "summary.json").string());
      const nlohmann::json s2 = JsonFile::readObject((fs::path(two) / eval / "summary.json").string());
      QCOMPARE(s2.at("positions").size(), size_t(3));
      for (size_t i = 0; i < 3; ++i) {
        const nlohmann::json &p1 = s1.at("positions").at(i), &p2 = s2.at("positions").at(i);
        for (const char* field : {"position", "n", "correct"})
          QCOMPARE(p2.at(field).get<int64_t>(), p1.at(field).get<int64_t>());
        QVERIFY(std::abs(p2.at("mean_answer_logprob").get<double>() -
                         p1.at("mean_answer_logprob").get<double>()) < 1e-5);
      }
      // The records: every (example, position) once, with the same prediction, timings and log-probabilities
      // aside.
      auto records = [](const fs::path& file) {
        std::vector<std::string> out;
        std::ifstream in(file);
        for (std::string line; std::getline(in, line);) {
          nlohmann::json j = nlohmann::json::parse(line);
          for (const char* rounded : {"time_s", "answer_logprob", "prefill_tokens"})
            j.erase(rounded);
          out.push_back(j.dump());
        }
        std::sort(out.begin(), out.end());
        return out;
      };
      const std::vector<std::string> r1 = records(fs::path(one) / eval / "examples.jsonl");
      QCOMPARE(r1.size(), size_t(15));
      QCOMPARE(records(fs::path(two) / eval / "examples.jsonl"), r1);
      QVERIFY(!fs::exists(fs::path(two) / eval / "rank-0"));
      QVERIFY(!fs::exists(fs::path(two) / eval / "rank-1"));
    }
    QCOMPARE(events(two, "eval").size(), size_t(3));
    QCOMPARE(losses(two), losses(one));
  }

  void nextTokenTrainingFollowsOneProcessToo() {
    // `train` shares the trainer: 2 ranks equal one process running their passes.
    auto args = [](const std::string& out) {
      return QStringList{"train",
                         "--model",
                         demoPath("poslab-demo-llama"),
                         "--data",
                         demoPath("train.jsonl.gz"),
                         "--limit",
                         "32",
                         "--batch",
                         "8",
                         "--steps",
                         "4",
                         "--seed",
                         "3",
                         "--threads",
                         "1",
                         "--out",
                         q(out)};
    };
    const std::string one = tempDir("train-one") + "/run", two = tempDir("train-two") + "/run";
    const CliRun r = cli(args(one) + QStringList{"--micro-batch", "4"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QString failed = runRanks(2, args(two));
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    QCOMPARE(losses(two).size(), size_t(4));
    QCOMPARE(losses(two), losses(one));
    QCOMPARE(relativeDistance(one + "/model/model.safetensors", two + "/model/model.safetensors"), 0.0);
    QCOMPARE(files(two), files(one));
  }

  void aCheckpointOfTwoResumesWithOneAndBack() {
    // A constant learning rate: 5 steps then an extension to 10 follow the same
    // schedule as 10 steps straight. Passes of 4 rows in every run: one per rank
    // with 2 processes, two with 1 (--micro-batch is kept on --resume).
    const QStringList constant = {"--min-lr-ratio", "1", "--warmup", "0", "--micro-batch", "4"};
    const std::string straight = tempDir("straight") + "/run";
    const CliRun s = cli(runArgs(r1Set_, "r1", straight, constant));
    QVERIFY2(s.exitCode == 0, qPrintable(s.err));
    auto half = [&](const std::string& run) {
      QStringList a = runArgs(r1Set_, "r1", run, constant);
      a[a.indexOf("--steps") + 1] = "5";
      return a;
    };
    const QStringList resumeTo10 = {"distill", "--resume", "--steps", "10", "--threads", "1", "--out"};

    const std::string twoThenOne = tempDir("two-then-one") + "/run";
    QString failed = runRanks(2, half(twoThenOne));
    QVERIFY2(failed.isEmpty(), qPrintable(failed));
    const CliRun r = cli(resumeTo10 + QStringList{q(twoThenOne)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));

    const std::string oneThenTwo = tempDir("one-then-two") + "/run";
    const CliRun h = cli(half(oneThenTwo));
    QVERIFY2(h.exitCode == 0, qPrintable(h.err));
    failed = runRanks(2, resumeTo10 + QStringList{q(oneThenTwo)});
    QVERIFY2(failed.isEmpty(), qPrintable(failed));

    for (const std::string& run : {twoThenOne, oneThenTwo}) {
      QCOMPARE(losses(run).size(), size_t(10));
      const double lossGap = worstRelative(losses(straight), losses(run));
      const double weightGap =
          relativeDistance(straight + "/model/model.safetensors", run + "/model/model.safetensors");
      qInfo("%s: loss %.3g, weights %.3g", fs::path(run).parent_path().filename().c_str(), lossGap,
            weightGap);
      QVERIFY2(lossGap <= 1e-5, qPrintable(QString::number(lossGap)));
      QVERIFY2(weightGap <= 1e-5, qPrintable(QString::number(weightGap)));
      QCOMPARE(events(run, "resume").size(), size_t(1));
    }
  }

  void aRankThatDiesOrHangsEndsTheJob_data() {
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("state");
    QTest::addColumn<int>("timeoutSeconds");
    QTest::newRow("SIGKILL") << int(SIGKILL) << "dead" << 60;
    QTest::newRow("SIGSTOP") << int(SIGSTOP) << "stopped" << 4;
  }
  void aRankThatDiesOrHangsEndsTheJob() {
    QFETCH(int, signal);
    QFETCH(QString, state);
    QFETCH(int, timeoutSeconds);
    const std::string run = tempDir("failing-rank-" + state.toStdString()) + "/run";
    QStringList args = runArgs(r1Set_, "r1", run, {"--dist-timeout", QString::number(timeoutSeconds)});
    args[args.indexOf("--steps") + 1] = "100000";
    args[args.indexOf("--checkpoint-every") + 1] = "2";
    Processes ranks = startRanks(2, args);
    QVERIFY2(waitForCheckpoint(run, 120000), "no checkpoint within 2 minutes");
    QElapsedTimer clock;
    clock.start();
    ::kill(static_cast<pid_t>(ranks[1]->processId()), signal);
    QVERIFY2(ranks[0]->waitForFinished((timeoutSeconds + 30) * 1000), "rank 0 did not end");
    const qint64 ended = clock.elapsed();
    const QString err = QString::fromUtf8(ranks[0]->readAllStandardError());
    ranks[1]->kill();
    ranks[1]->waitForFinished();
    qInfo("rank 0 ended %lld ms after the %s: %s", ended, qPrintable(state),
          qPrintable(err.trimmed().right(400)));
    QVERIFY(ranks[0]->exitCode() != 0);
    QVERIFY2(err.contains(QRegularExpression("rank 1 \\(pid \\d+ on [^)]+\\): " + state)), qPrintable(err));
    QVERIFY2(err.contains("--resume continues"), qPrintable(err));
    QVERIFY2(ended < (timeoutSeconds + 20) * 1000, qPrintable(QString::number(ended)));

    const nlohmann::json runJson = JsonFile::readObject(run + "/run.json");
    QCOMPARE(runJson.value("status", ""), std::string("failed"));
    QVERIFY(QString::fromStdString(runJson.value("error", "")).contains("rank 1"));
    // The last checkpoint passes its manifest, and one process continues from it.
    const std::string latest = fileBytes(fs::path(run) / "checkpoints" / "latest");
    const std::string name = latest.substr(0, latest.find('\n'));
    CheckpointStore::verify((fs::path(run) / "checkpoints" / name).string());
    const int64_t at = std::stoll(name.substr(name.find('-') + 1));
    const CliRun resumed =
        cli({"distill", "--resume", "--steps", QString::number(at + 2), "--threads", "1", "--out", q(run)});
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QCOMPARE(events(run, "resume").back().value("step", int64_t(-1)), at);
  }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
