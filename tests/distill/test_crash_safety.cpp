// Runs that lose nothing (the hardening issue): a distill job killed with
// SIGKILL at random moments -- while it prepares its set, trains, or writes a
// checkpoint -- continues with --resume every time and ends with the weights of
// a run never interrupted, and after every kill `latest` names a checkpoint
// that passes its manifest. Kills are also forced inside the checkpoint write
// itself: strace's fault injection delivers SIGKILL on entry to a chosen call
// of fsync, rename, mkdir or unlinkat (in a half-written checkpoint folder, at
// the rename that publishes it, at the update of `latest`, while pruning). A
// full disk (a small tmpfs) ends a distill run (with an error event and
// run.json's "error") and a sweep with a non-zero exit naming the file; what was written before stays intact,
// and the sweep completes once there is room again.
#include "core/train/CheckpointStore.h"
#include "core/util/JsonFile.h"
#include "tests/util/CliProcess.h"
#include "tests/util/FileBytes.h"
#include "tests/util/TestPaths.h"

#include <QStandardPaths>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sys/mount.h>

using namespace poslab;
using namespace poslab::test;
namespace fs = std::filesystem;

namespace {

// A small R1 run on the demo: 6 questions, 24 steps, a checkpoint after each.
QStringList distillArgs(const std::string& out) {
  return {"distill",
          "--model",
          demoPath("poslab-demo-llama"),
          "--data",
          demoPath("train.jsonl.gz"),
          "--method",
          "r1",
          "--questions",
          "6",
          "--k",
          "2",
          "--batch",
          "4",
          "--steps",
          "24",
          "--lr",
          "2e-3",
          "--seed",
          "5",
          "--checkpoint-every",
          "1",
          "--threads",
          "1",
          "--out",
          QString::fromStdString(out)};
}

// A tmpfs of `bytes` at dir, or "" with the reason it could not be mounted.
QString mountTmpfs(const std::string& dir, size_t bytes) {
  fs::create_directories(dir);
  const std::string options = "size=" + std::to_string(bytes);
  if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0)
    return QString("cannot mount a tmpfs (%1): the disk-full tests need root").arg(std::strerror(errno));
  return {};
}

void checkLatestIsIntact(const std::string& run) {
  const fs::path latest = fs::path(run) / "checkpoints" / "latest";
  if (!fs::exists(latest)) return;
  std::ifstream in(latest);
  std::string name;
  std::getline(in, name);
  CheckpointStore::verify((fs::path(run) / "checkpoints" / name).string()); // throws when torn
}

// The uninterrupted run both kill tests end against, made once.
const std::string& straightRun() {
  static const std::string run = [] {
    const std::string dir = tempDir("kill-straight") + "/run";
    const CliRun whole = cli(distillArgs(dir));
    if (whole.exitCode != 0) qFatal("the uninterrupted run failed: %s", qPrintable(whole.err));
    return dir;
  }();
  return run;
}

// The resumed run's arguments, or the first run's when there is nothing to resume yet.
QStringList resumeOrStart(const std::string& run) {
  if (fs::exists(fs::path(run) / "run.json"))
    return {"distill", "--out", QString::fromStdString(run), "--resume", "--threads", "1"};
  fs::remove_all(run);
  return distillArgs(run);
}

// Where a kill forced at a traced call landed, from the call strace logged last
// (the one it killed on entry; "= ?" because it never returned).
QString landing(const QString& call) {
  // (A plain string: moc misreads a raw string with quotes in it.)
  static const QRegularExpression publish("rename\\(\"[^\"]*/checkpoints/\\.tmp-step-[0-9]+-[0-9]+\", ");
  if (call.contains(publish)) return "publishing a complete checkpoint (the folder's rename)";
  if (call.contains("/checkpoints/.tmp-step-"))
    return call.startsWith("unlinkat(") ? "removing a half-written checkpoint an earlier kill left"
                                        : "inside a checkpoint being written";
  if (call.contains("/checkpoints/latest") || call.contains("/checkpoints>)")) // its rename, made durable
    return "updating latest";
  if (call.contains(QRegularExpression("/checkpoints/step-[0-9]+"))) return "pruning an old checkpoint";
  return "elsewhere";
}

} // namespace

class TestCrashSafety : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void killNineAnywhereThenResumeEndsExact() {
    const std::string& straight = straightRun();
    const std::string run = tempDir("kill-run") + "/run";
    std::mt19937 draw(7); // the kill moments: the same every time the test runs
    int kills = 0;
    bool finished = false;
    // Steps the run has logged so far (events.jsonl's step lines).
    auto stepsLogged = [&] {
      std::ifstream in(fs::path(run) / "events.jsonl");
      int n = 0;
      for (std::string line; std::getline(in, line);)
        n += line.find("\"event\":\"step\"") != std::string::npos;
      return n;
    };
    // Eight kills, then a resume left to finish. The moments follow the run's progress, not the
    // clock, so they land alike on a fast machine and a loaded one: the first while run.json says
    // the set is being prepared, every third after it 50-450 ms after the start (start-up,
    // loading a checkpoint), the others 0-20 ms after the run logged 1 or 2 more steps (training,
    // writing the checkpoint that follows a step).
    for (int attempt = 0; attempt <= 8 && !finished; ++attempt) {
      const QStringList args = resumeOrStart(run);
      const int before = stepsLogged();
      QProcess p;
      p.start(cliPath(), args);
      QVERIFY(p.waitForStarted());
      std::string moment;
      if (attempt == 8) {
        QVERIFY(p.waitForFinished(600000));
      } else if (attempt == 0) { // preparing the distill set (the teacher's generation)
        const int delay = static_cast<int>(draw() % 5);
        moment = std::to_string(delay) + " ms after run.json said preparing";
        while (p.state() != QProcess::NotRunning &&
               JsonFile::readObjectIfPresent(run + "/run.json").value("status", "") != "preparing")
          p.waitForFinished(1);
        p.waitForFinished(delay);
      } else if (attempt % 3 == 0) {
        const int life = 50 + static_cast<int>(draw() % 400);
        moment = std::to_string(life) + " ms after the start";
        p.waitForFinished(life);
      } else {
        const int more = 1 + static_cast<int>(draw() % 2), delay = static_cast<int>(draw() % 20);
        moment = std::to_string(delay) + " ms after " + std::to_string(more) + " more step(s)";
        while (p.state() != QProcess::NotRunning && stepsLogged() < before + more)
          p.waitForFinished(5);
        p.waitForFinished(delay);
      }
      if (p.state() == QProcess::NotRunning) {
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 qPrintable(QString::fromUtf8(p.readAllStandardError())));
        finished = true;
        break;
      }
      p.kill(); // SIGKILL: no handler runs
      p.waitForFinished();
      ++kills;
      const nlohmann::json state = JsonFile::readObjectIfPresent(run + "/run.json");
      qInfo("kill %d %s: status %s, checkpoints %s", kills, moment.c_str(),
            state.value("status", "none").c_str(),
            fs::exists(run + "/checkpoints/latest") ? fileBytes(run + "/checkpoints/latest").c_str()
                                                    : "none\n");
      if (attempt == 0)
        QCOMPARE(state.value("status", ""), std::string("preparing")); // killed mid-preparation
      try {
        checkLatestIsIntact(run);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("after kill %1: %2").arg(kills).arg(e.what())));
      }
    }
    QVERIFY(finished);
    QVERIFY2(kills >= 4, qPrintable(QString("only %1 kills").arg(kills)));
    QCOMPARE(fileBytes(fs::path(run) / "model" / "model.safetensors"),
             fileBytes(fs::path(straight) / "model" / "model.safetensors"));
    for (const auto& e : fs::directory_iterator(fs::path(run) / "checkpoints"))
      QVERIFY2(!e.path().filename().string().starts_with(".tmp-"), e.path().c_str());
    qInfo("%d kills", kills);
  }

  // SIGKILL forced inside checkpoint writes rather than timed near them: strace
  // kills the process on entry to the K-th fsync, rename, mkdir or unlinkat it
  // makes (the calls CheckpointStore::save, AtomicFile and pruning make, the
  // same sequence every step). Each kill's landing is read from strace's log.
  void killNineInsideCheckpointWritesThenResumeEndsExact() {
    const QString strace = QStandardPaths::findExecutable("strace");
    QVERIFY2(!strace.isEmpty(), "strace is missing (packaging/debian-packages.txt lists it for the tests)");
    const std::string& straight = straightRun();
    const std::string run = tempDir("kill-in-write") + "/run";
    const QString log = QString::fromStdString(tempDir("kill-in-write-log") + "/strace.log");
    std::mt19937 draw(11); // the kill points: the same every time the test runs
    // A checkpoint write makes 1 mkdir, 12 fsyncs and 7 renames: 5 files, then
    // the folder (publishing it), then `latest`. Before the first one a resumed
    // run renames run.json twice, a new run 5 times (run.json, the set).
    // Pruning makes about 10 unlinkats per old checkpoint. "publish" and
    // "latest" aim at the 6th and 7th rename of the 1st-3rd checkpoint written.
    const char* plan[] = {"fsync",  "publish", "unlinkat", "latest", "fsync", "mkdir",
                          "rename", "publish", "unlinkat", "latest", "fsync", "rename"};
    std::map<QString, int> landed;
    int kills = 0;
    for (const char* aim : plan) {
      const bool fresh = !fs::exists(fs::path(run) / "run.json");
      const unsigned before = fresh ? 5 : 2, checkpoint = draw() % 3;
      const std::string what = aim;
      const QString call = what == "publish" || what == "latest" ? "rename" : aim;
      const unsigned k = what == "publish"    ? before + 7 * checkpoint + 6
                         : what == "latest"   ? before + 7 * checkpoint + 7
                         : what == "rename"   ? 1 + draw() % 21
                         : what == "fsync"    ? 1 + draw() % 36
                         : what == "unlinkat" ? 1 + draw() % 30
                                              : 1 + draw() % 3; // mkdir
      QStringList args{"-y", "-qq",           "-o", log,
                       "-e", "trace=" + call, "-e", QString("inject=%1:signal=KILL:when=%2").arg(call).arg(k),
                       "--", cliPath()};
      args += resumeOrStart(run);
      QProcess p;
      p.start(strace, args);
      QVERIFY(p.waitForStarted());
      QVERIFY(p.waitForFinished(600000));
      QFile f(log);
      QVERIFY(f.open(QIODevice::ReadOnly));
      const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
      if (!lines.isEmpty() && !lines.last().contains("killed by SIGKILL")) {
        // Fewer than K such calls before the run ended: it finished.
        QVERIFY2(p.exitCode() == 0, qPrintable(QString::fromUtf8(p.readAllStandardError())));
        break;
      }
      QVERIFY2(lines.size() >= 2, qPrintable(lines.join('\n')));
      const QString killedAt = QString(lines[lines.size() - 2]).replace(QString::fromStdString(run), "RUN");
      const QString where = landing(killedAt);
      ++landed[where];
      ++kills;
      qInfo("kill %d at %s #%u (%s), %s: %s", kills, qPrintable(call), k, aim, qPrintable(where),
            qPrintable(killedAt));
      try {
        checkLatestIsIntact(run);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("after kill %1 (%2): %3").arg(kills).arg(killedAt, e.what())));
      }
    }
    const CliRun rest = cli(resumeOrStart(run));
    QVERIFY2(rest.exitCode == 0, qPrintable(rest.err));
    QCOMPARE(fileBytes(fs::path(run) / "model" / "model.safetensors"),
             fileBytes(fs::path(straight) / "model" / "model.safetensors"));
    for (const auto& e : fs::directory_iterator(fs::path(run) / "checkpoints"))
      QVERIFY2(!e.path().filename().string().starts_with(".tmp-"), e.path().c_str());
    // Every stage of a checkpoint write was hit (the draws are fixed, the calls
    // the same every run: a failure here means the write's sequence changed).
    for (const char* stage :
         {"inside a checkpoint being written", "publishing a complete checkpoint (the folder's rename)",
          "updating latest", "pruning an old checkpoint"})
      QVERIFY2(landed[stage] > 0, stage);
    QVERIFY2(kills == 12, qPrintable(QString("only %1 kills").arg(kills)));
  }

  void fullDiskStopsADistillRunAndKeepsTheLastCheckpoint() {
    const std::string mnt = tempDir("full-distill") + "/mnt";
    // The set, run.json and the first checkpoint (about 6.4 MB) fit; the second does not.
    if (const QString why = mountTmpfs(mnt, 9u << 20); !why.isEmpty()) QSKIP(qPrintable(why));
    const std::string run = mnt + "/run";
    const CliRun r = cli(distillArgs(run));
    const std::string runJson = JsonFile::readObject(run + "/run.json").dump(); // still whole
    std::string lastEvent;
    {
      std::ifstream events(run + "/events.jsonl");
      for (std::string line; std::getline(events, line);)
        lastEvent = line;
    }
    const bool latestOk = fs::exists(run + "/checkpoints/latest");
    if (latestOk) checkLatestIsIntact(run);
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(run + "/checkpoints"))
      left.push_back(e.path().filename().string());
    ::umount(mnt.c_str());
    QVERIFY2(r.exitCode != 0, "a run on a full disk finished");
    // Progress lines, then the error: one line naming the file.
    const QString error = r.err.trimmed().section('\n', -1);
    QVERIFY2(error.startsWith("poslab-cli: " + QString::fromStdString(run) + "/checkpoints/") &&
                 error.contains("No space left on device"),
             qPrintable(r.err));
    QVERIFY(latestOk);
    QVERIFY(!runJson.empty());
    // The run's own record says why it stopped: an error event naming the file.
    const nlohmann::json event = nlohmann::json::parse(lastEvent);
    QCOMPARE(event.value("event", ""), std::string("error"));
    QVERIFY2(event.value("message", "").find("No space left on device") != std::string::npos,
             lastEvent.c_str());
    QVERIFY2(runJson.find("No space left on device") != std::string::npos,
             runJson.c_str()); // run.json's "error"
    for (const std::string& n : left)
      QVERIFY2(!n.starts_with(".tmp-"), n.c_str()); // the torn write was cleaned up
  }

  void fullDiskStopsASweepThatLaterCompletes() {
    const std::string mnt = tempDir("full-sweep") + "/mnt";
    if (const QString why = mountTmpfs(mnt, 48u << 10); !why.isEmpty()) QSKIP(qPrintable(why));
    const QStringList args = {"sweep",
                              "--model",
                              demoPath("poslab-demo-llama"),
                              "--data",
                              demoPath("heldout.jsonl.gz"),
                              "--limit",
                              "40",
                              "--threads",
                              "1",
                              "--quiet",
                              "--out",
                              QString::fromStdString(mnt + "/sweep")};
    const CliRun full = cli(args);
    QVERIFY2(full.exitCode != 0, "a sweep on a full disk finished");
    QVERIFY2(full.err.contains("No space left on device"), qPrintable(full.err));
    QCOMPARE(full.err.count('\n'), 1);
    // Room again (the same tmpfs, larger): the sweep resumes and completes.
    QCOMPARE(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=8388608"), 0);
    const CliRun resumed = cli(args);
    const bool summary = fs::exists(mnt + "/sweep/summary.json");
    size_t records = 0;
    {
      std::ifstream in(mnt + "/sweep/examples.jsonl");
      for (std::string line; std::getline(in, line); ++records)
        QVERIFY(nlohmann::json::accept(line));
    }
    ::umount(mnt.c_str());
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
    QVERIFY(summary);
    QCOMPARE(records, size_t(40 * 20));
  }

  void fullDiskStopsTheAggregateWriterAndKeepsTheOldFile() {
    const std::string mnt = tempDir("full-aggregate") + "/mnt";
    if (const QString why = mountTmpfs(mnt, 256u << 10); !why.isEmpty()) QSKIP(qPrintable(why));
    const QString out = QString::fromStdString(mnt + "/aggregate.json");
    auto aggregate = [&](const char* examples) {
      return cli({"attention", "--aggregate", "--model", demoPath("poslab-demo-llama"), "--data",
                  demoPath("heldout.jsonl.gz"), "--examples", examples, "--threads", "1", "--out", out});
    };
    const CliRun first = aggregate("1");
    QVERIFY2(first.exitCode == 0, qPrintable(first.err));
    const std::string before = fileBytes(out.toStdString());
    // Fill the disk to the last few bytes, then ask for the file again.
    {
      std::ofstream filler(mnt + "/filler", std::ios::binary);
      const std::string block(4096, 'x');
      while (filler.write(block.data(), static_cast<std::streamsize>(block.size())))
        ;
    }
    const CliRun full = aggregate("2");
    const std::string after = fileBytes(out.toStdString());
    ::umount(mnt.c_str());
    QVERIFY2(full.exitCode != 0, "an aggregate on a full disk succeeded");
    // After the progress lines, one error line naming the file.
    const QStringList errors =
        full.err.split('\n', Qt::SkipEmptyParts).filter(QRegularExpression("^poslab-cli: "));
    QCOMPARE(errors.size(), qsizetype(1));
    QVERIFY2(errors[0].contains("aggregate.json") && errors[0].contains("No space left on device"),
             qPrintable(full.err));
    QCOMPARE(after, before); // the earlier file is whole: written beside, renamed only when complete
  }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "test_crash_safety.moc"
