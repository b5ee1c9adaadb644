#pragma once
// Small helpers shared by the commands: id-list parsing, JSON output, template
// names, stopping long jobs on Ctrl-C.
#include "core/util/ProcessCpu.h"

#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace poslab {
struct LoadOptions;
struct SweepSettings;
} // namespace poslab

namespace poslab::cli {

// --adapter DIR and --merge-adapter, for every command that takes MODEL.
struct AdapterArgs {
  std::string dir;
  bool merge = false;
  // LoadOptions with these set (device, dtype and threads at their defaults).
  LoadOptions options() const;
  LoadOptions options(const std::string& device, const std::string& dtype, int threads) const;
};
void addAdapterOptions(CLI::App* cmd, AdapterArgs& args);
// A sweep's load options; an adapter folder given as the model becomes its base
// plus the adapter in `settings` first, so run.json names both.
LoadOptions sweepLoadOptions(SweepSettings& settings);

// "1,2,3" -> {1, 2, 3}; throws poslab::Error naming --ids on anything else.
std::vector<int32_t> parseIds(const std::string& text);
// "0,4,9" -> {0, 4, 9}: 0-based positions; throws poslab::Error naming `field` on anything else.
std::vector<size_t> parsePositions(const std::string& text, const std::string& field);
// Prints one JSON document on stdout.
void printJson(const nlohmann::json& j);
// {"wall_s", "user_s", "system_s", "minor_faults"} spent since `since`
// (ProcessCpu::now()), for benchmark output.
nlohmann::json cpuJson(const CpuSeconds& since);
// The built-in prompt template names, "qa, qa_query_aware, ...", for help and errors.
std::string templateNames();
// Runs a Python benchmark reference as a child process (`python 'script' args`,
// with OpenBLAS sized to `threads`) and returns the one JSON line it prints last;
// throws naming the script when it fails.
nlohmann::json runPythonJson(const std::string& python, const std::string& script, const std::string& args,
                             int threads);
// Installs SIGINT/SIGTERM handlers that set the returned flag (a job checks it
// between steps and writes a checkpoint); a second signal ends the process.
std::atomic<bool>& stopFlagOnSignals();

} // namespace poslab::cli
