#pragma once
// Starts `poslab-cli` jobs the way DESIGN.md asks: as processes of their own
// that outlive whoever started them. The job gets its own session (so the
// GUI's terminal, process group and a GUI crash do not reach it) and is
// re-parented to init (so it is never the GUI's zombie); its stdout and stderr
// go to <run>/logs/cli.log and its pid to <run>/logs/launch.json, which is how
// a reader tells "starting" from "failed before it wrote run.json".
#include <string>
#include <vector>

namespace poslab {

class JobLauncher {
public:
  // Runs `program args...` detached; returns its pid. Throws poslab::Error
  // naming the program when it cannot be started (missing, not executable).
  static long long start(const std::string& program, const std::vector<std::string>& args,
                         const std::string& runDir, const std::string& device);
  // Asks the run's live owner to stop (SIGTERM: the trainer checkpoints, then
  // exits). False when no process owns the run.
  static bool cancel(const std::string& runDir);
  // SIGKILL to the live owner, as a crash would: for tests of dead-run handling.
  static bool kill(const std::string& runDir);
  // The live owner's pid: run.lock's holder, else the launched process while it
  // has not taken the lock yet; 0 when none.
  static long long owner(const std::string& runDir);
};

} // namespace poslab
