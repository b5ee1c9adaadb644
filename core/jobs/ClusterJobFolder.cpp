#include "core/jobs/ClusterJobFolder.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/UtcClock.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace poslab {

std::vector<std::string> ClusterJobFolder::jobArguments(const JobSettings& job) {
  std::vector<std::string> a = job.arguments("run");
  // arguments() ends with --device D --threads N --out run: the scripts set those per node.
  a.erase(a.end() - 6, a.end());
  a.erase(a.begin()); // "distill": the scripts say it
  return a;
}

std::string ClusterJobFolder::submitScript(const JobSettings& job, const ClusterJob& c,
                                           const std::vector<std::string>& arguments) {
  std::string s =
      "#!/usr/bin/env bash\n"
      "# A PosLab distill job (" +
      job.method + " on " + fs::path(job.model).filename().string() + "), written " + UtcClock::now() +
      ".\n"
      "# Run this on the cluster; run it again to continue the run (run/run.json present: --resume).\n"
      "# POSLAB_CLI: the poslab-cli of the nodes (a core + CLI build against their LibTorch).\n"
      "set -euo pipefail\n"
      "cd \"$(dirname \"$0\")\"\n"
      "export RUN=\"$PWD/run\"\n"
      "export POSLAB_CLI=\"${POSLAB_CLI:-poslab-cli}\"\n"
      "export DEVICE=" +
      c.device + "\n";
  const std::string args = JobSettings::shellCommand(arguments);
  if (c.launcher == "slurm") {
    std::vector<std::string> sbatch = {"sbatch", "--nodes=" + std::to_string(c.nodes),
                                       "--ntasks-per-node=" + std::to_string(c.processesPerNode),
                                       "--gpus-per-node=" +
                                           std::to_string(c.device == "cuda" ? c.processesPerNode : 0),
                                       "--time=" + c.timeLimit};
    if (!c.partition.empty()) sbatch.push_back("--partition=" + c.partition);
    sbatch.push_back("poslab-distill.sbatch");
    s += "exec " + JobSettings::shellCommand(sbatch) + " " + args + "\n";
  } else {
    s += "export NPROC=" + std::to_string(c.processesPerNode) + " NNODES=" + std::to_string(c.nodes) +
         "\n"
         "# With NNODES > 1 run this on every node with NODE_RANK=0..NNODES-1 and MASTER_ADDR = node 0's "
         "address.\n"
         "exec ./poslab-torchrun.sh " +
         args + "\n";
  }
  return s;
}

std::string ClusterJobFolder::write(const JobSettings& given, const ClusterJob& cluster,
                                    const std::string& templates, const std::string& folder) {
  cluster.validate("cluster job");
  if (given.model.empty()) fail("", "model", "required");
  if (given.data.empty()) fail("", "data", "required");
  for (const char* name : kTemplates)
    if (!fs::is_regular_file(fs::path(templates) / name))
      fail((fs::path(templates) / name).string(), "",
           "missing: the launch scripts (packaging/cluster) are not here");
  std::error_code ec;
  if (fs::exists(folder) && !fs::is_empty(folder, ec))
    fail(folder, "", "is not empty: choose a new folder for the job");
  const bool existed = fs::exists(folder);
  fs::create_directories(folder);
  try {
    JobSettings job = given;
    if (cluster.copyData) {
      // data/<name>, relative: submit.sh runs from the job folder.
      fs::create_directories(fs::path(folder) / "data");
      auto carry = [&](std::string& path, const std::string& prefix) {
        if (path.empty()) return;
        if (!fs::is_regular_file(path)) fail(path, "data", "not found (or not a file) to copy into the job");
        const std::string name = prefix + fs::path(path).filename().string();
        fs::copy_file(path, fs::path(folder) / "data" / name);
        path = "data/" + name;
      };
      carry(job.data, "");
      carry(job.evalData,
            fs::path(job.evalData).filename() == fs::path(job.data).filename() ? "heldout-" : "");
    }
    job.device = cluster.device;
    for (const char* name : kTemplates) {
      fs::copy_file(fs::path(templates) / name, fs::path(folder) / name);
      fs::permissions(fs::path(folder) / name, fs::perms::owner_all | fs::perms::group_read |
                                                   fs::perms::group_exec | fs::perms::others_read |
                                                   fs::perms::others_exec);
    }
    const std::vector<std::string> arguments = jobArguments(job);
    const std::string submit = (fs::path(folder) / "submit.sh").string();
    AtomicFile::writeText(submit, submitScript(job, cluster, arguments));
    fs::permissions(submit, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
    JsonFile::write((fs::path(folder) / "job.json").string(), nlohmann::json{{"settings", given.toJson()},
                                                                             {"cluster", cluster.toJson()},
                                                                             {"arguments", arguments},
                                                                             {"written", UtcClock::now()}});
    AtomicFile::writeText(
        (fs::path(folder) / "README.txt").string(),
        "A PosLab distill job for a cluster (docs/DISTRIBUTED.md).\n\n"
        "1. Copy this folder to the cluster (or keep it on a file system the cluster shares).\n"
        "2. There, run ./submit.sh (POSLAB_CLI=/path/to/poslab-cli ./submit.sh if it is not on PATH).\n"
        "   Running it again continues the run from its last checkpoint.\n"
        "3. The run writes run/. In the PosLab GUI, Train > Follow run folder... shows it (live on a\n"
        "   shared file system, or once run/ is copied back): the job page, checkpoints, before/after.\n\n"
        "The command each process runs:\n  poslab-cli distill --device " +
            cluster.device + " --threads N --out run " + JobSettings::shellCommand(arguments) + "\n");
  } catch (...) {
    if (existed)
      for (const auto& e : fs::directory_iterator(folder))
        fs::remove_all(e.path(), ec);
    else
      fs::remove_all(folder, ec);
    throw;
  }
  return (fs::path(folder) / "run").string();
}

} // namespace poslab
