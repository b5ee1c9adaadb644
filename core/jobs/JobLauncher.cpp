#include "core/jobs/JobLauncher.h"

#include "core/jobs/JobSettings.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/RunLock.h"
#include "core/util/UtcClock.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

namespace poslab {

namespace fs = std::filesystem;

namespace {

bool readAll(int fd, void* buf, size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    const ssize_t got = ::read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

void writeAll(int fd, const void* buf, size_t n) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    const ssize_t put = ::write(fd, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return;
    p += put;
    n -= static_cast<size_t>(put);
  }
}

// The launched process is alive, and is still the program launched: its argv[0]
// in /proc, so a pid reused by some other process long after does not count.
bool launchedAlive(long long pid, const std::string& program) {
  if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)) return false;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  if (!cmdline) return true; // no /proc here: the pid alone has to do
  std::string argv0;
  std::getline(cmdline, argv0, '\0');
  return argv0 == program;
}

bool signalOwner(const std::string& runDir, int sig) {
  const long long pid = JobLauncher::owner(runDir);
  return pid > 0 && ::kill(static_cast<pid_t>(pid), sig) == 0;
}

} // namespace

long long JobLauncher::start(const std::string& program, const std::vector<std::string>& args,
                             const std::string& runDir, const std::string& device) {
  const fs::path logs = fs::path(runDir) / "logs";
  fs::create_directories(logs);
  const std::string logPath = (logs / "cli.log").string();
  // Everything the child needs is built before fork(): after it, in a process
  // with threads (the GUI), the child may only make async-signal-safe calls.
  std::vector<std::string> argvStrings{program};
  argvStrings.insert(argvStrings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argvStrings)
    argv.push_back(a.data());
  argv.push_back(nullptr);

  int pidPipe[2], errorPipe[2];
  if (::pipe2(pidPipe, O_CLOEXEC) != 0)
    fail(program, "", std::string("cannot start: ") + std::strerror(errno));
  if (::pipe2(errorPipe, O_CLOEXEC) != 0) {
    ::close(pidPipe[0]);
    ::close(pidPipe[1]);
    fail(program, "", std::string("cannot start: ") + std::strerror(errno));
  }
  const pid_t middle = ::fork();
  if (middle < 0) {
    for (int fd : {pidPipe[0], pidPipe[1], errorPipe[0], errorPipe[1]})
      ::close(fd);
    fail(program, "", std::string("cannot start: fork: ") + std::strerror(errno));
  }
  if (middle == 0) {
    ::setsid(); // a session of its own: no controlling terminal, no signals from ours
    const pid_t job = ::fork();
    if (job == 0) {
      const int in = ::open("/dev/null", O_RDONLY);
      const int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (in >= 0) ::dup2(in, 0);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      // Nothing else of the starter's (sockets, files, locks) lives on in the job;
      // the error pipe closes itself on exec.
      const unsigned keep = static_cast<unsigned>(errorPipe[1]);
      if (keep > 3) ::close_range(3, keep - 1, 0);
      ::close_range(keep + 1, ~0U, 0);
      ::execv(argv[0], argv.data());
      const int err = errno;
      writeAll(errorPipe[1], &err, sizeof err);
      ::_exit(127);
    }
    const long long pid = job;
    writeAll(pidPipe[1], &pid, sizeof pid);
    ::_exit(0); // the job is re-parented to init
  }
  ::close(pidPipe[1]);
  ::close(errorPipe[1]);
  int status = 0;
  while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  long long pid = -1;
  const bool gotPid = readAll(pidPipe[0], &pid, sizeof pid);
  int execError = 0;
  const bool execFailed = readAll(errorPipe[0], &execError, sizeof execError); // EOF: exec worked
  ::close(pidPipe[0]);
  ::close(errorPipe[0]);
  if (!gotPid || pid <= 0) fail(program, "", "cannot start: fork failed");
  if (execFailed) fail(program, "", std::string("cannot start: ") + std::strerror(execError));
  JsonFile::write((logs / "launch.json").string(),
                  nlohmann::json{{"pid", pid},
                                 {"started", UtcClock::now()},
                                 {"device", device},
                                 {"program", program},
                                 {"command", JobSettings::shellCommand(argvStrings)}});
  return pid;
}

long long JobLauncher::owner(const std::string& runDir) {
  try {
    if (auto lock = RunLock::inspect(runDir); lock && lock->alive)
      return JsonFile::valueOr(lock->info, "pid", 0LL, (fs::path(runDir) / "run.lock").string());
    // Started and not yet holding the lock (it takes it before anything else).
    const std::string file = (fs::path(runDir) / "logs" / "launch.json").string();
    const nlohmann::json launch = JsonFile::readObjectIfPresent(file);
    const long long pid = JsonFile::valueOr(launch, "pid", 0LL, file);
    return launchedAlive(pid, JsonFile::valueOr(launch, "program", std::string(), file)) ? pid : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

bool JobLauncher::cancel(const std::string& runDir) {
  return signalOwner(runDir, SIGTERM);
}

bool JobLauncher::kill(const std::string& runDir) {
  return signalOwner(runDir, SIGKILL);
}

} // namespace poslab
