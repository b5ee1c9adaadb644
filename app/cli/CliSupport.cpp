#include "app/cli/CliSupport.h"

#include "core/engine/Engine.h"
#include "core/prompt/PromptTemplate.h"
#include "core/sweep/SweepSettings.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

namespace poslab::cli {

namespace {
std::atomic<bool> gStop{false};

extern "C" void onStopSignal(int sig) {
  gStop = true;
  std::signal(sig, SIG_DFL); // a second Ctrl-C ends the process at once
}
} // namespace

LoadOptions AdapterArgs::options() const {
  LoadOptions o;
  o.adapter = dir;
  o.mergeAdapter = merge;
  return o;
}

LoadOptions AdapterArgs::options(const std::string& device, const std::string& dtype, int threads) const {
  LoadOptions o = options();
  o.device = device;
  o.dtype = dtype;
  o.threads = threads;
  return o;
}

void addAdapterOptions(CLI::App* cmd, AdapterArgs& args) {
  cmd->add_option("--adapter", args.dir, "A PEFT LoRA adapter folder to apply on top of MODEL");
  cmd->add_flag("--merge-adapter", args.merge,
                "Merge the adapter into the weights (W + s*B*A) instead of applying it unmerged");
}

LoadOptions sweepLoadOptions(SweepSettings& s) {
  const ModelPaths paths = ModelPaths::resolve(s.modelPath, s.adapterPath);
  s.modelPath = paths.base;
  s.adapterPath = paths.adapter;
  AdapterArgs adapter{s.adapterPath, s.mergeAdapter};
  return adapter.options(s.device, s.dtype, s.threads);
}

nlohmann::json runPythonJson(const std::string& python, const std::string& script, const std::string& args,
                             int threads) {
  // OpenBLAS reads its thread count when it loads, so the child gets ours in its environment.
  const std::string cmd =
      "OPENBLAS_NUM_THREADS=" + std::to_string(threads) + " " + python + " '" + script + "' " + args;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) fail(script, "", "cannot start the Python reference");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe.get()))
    out.append(buf, n);
  const int status = pclose(pipe.release());
  if (status != 0)
    fail(script, "", "the Python reference failed (exit status " + std::to_string(status) + ")");
  const size_t start = out.rfind('{');
  if (start == std::string::npos) fail(script, "", "printed no JSON");
  try {
    return nlohmann::json::parse(out.substr(start));
  } catch (const nlohmann::json::exception& e) {
    fail(script, "", std::string("printed invalid JSON (") + e.what() + ")");
  }
}

std::atomic<bool>& stopFlagOnSignals() {
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
  return gStop;
}

std::vector<int32_t> parseIds(const std::string& text) {
  std::vector<int32_t> ids;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ')
      part.erase(part.begin());
    while (!part.empty() && part.back() == ' ')
      part.pop_back();
    int32_t v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size())
      fail("", "--ids", "'" + part + "' is not an integer (expected e.g. 1,2,3)");
    ids.push_back(v);
    start = end + 1;
  }
  return ids;
}

std::vector<size_t> parsePositions(const std::string& text, const std::string& field) {
  std::vector<size_t> out;
  size_t begin = 0;
  while (begin <= text.size()) {
    const size_t comma = std::min(text.find(',', begin), text.size());
    const std::string item = text.substr(begin, comma - begin);
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos || item.size() > 9)
      fail("", field, "'" + item + "' is not a 0-based position (expected e.g. 0,4,9)");
    out.push_back(std::stoul(item));
    begin = comma + 1;
  }
  return out;
}

void printJson(const nlohmann::json& j) {
  std::cout << j.dump(2) << '\n';
}

nlohmann::json cpuJson(const CpuSeconds& since) {
  const CpuSeconds d = ProcessCpu::now() - since;
  return {{"wall_s", d.wall}, {"user_s", d.user}, {"system_s", d.system}, {"minor_faults", d.minorFaults}};
}

std::string templateNames() {
  std::string out;
  for (const std::string& name : PromptTemplate::names())
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

} // namespace poslab::cli
