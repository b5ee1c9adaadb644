#pragma once
// Stand-ins for Slurm's sbatch, srun and scontrol, so the cluster scripts run
// here as a cluster would run them: sbatch runs the batch script at once with
// SLURM_NTASKS from --nodes × --ntasks-per-node (other options ignored), srun
// starts SLURM_NTASKS copies of its command as local processes with
// SLURM_PROCID/SLURM_LOCALID, and scontrol names the loopback as the first node.
#include "tests/util/TestPaths.h"

#include <filesystem>
#include <fstream>
#include <string>

namespace poslab::test {

// A folder holding the three, to put first on PATH.
inline std::string slurmStandIns() {
  const std::string bin = tempDir("slurm-bin");
  auto script = [&](const char* name, const char* text) {
    const std::string path = bin + "/" + name;
    std::ofstream(path) << text;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  };
  script("sbatch",
         "#!/bin/sh\n"
         "nodes=1; per=1\n"
         "while [ $# -gt 0 ]; do case \"$1\" in\n"
         "  --nodes=*) nodes=${1#--nodes=}; shift ;;\n"
         "  --ntasks-per-node=*) per=${1#--ntasks-per-node=}; shift ;;\n"
         "  --*) shift ;;\n"
         "  *) break ;;\n"
         "esac; done\n"
         "export SLURM_NTASKS=$((nodes * per)) SLURM_JOB_NODELIST=node1 SLURM_JOB_ID=${SLURM_JOB_ID:-7}\n"
         "exec bash \"$@\"\n");
  script("srun", "#!/bin/sh\n"
                 "[ \"$1\" = --kill-on-bad-exit=1 ] && shift\n"
                 "pids=; i=0\n"
                 "while [ $i -lt \"$SLURM_NTASKS\" ]; do\n"
                 "  SLURM_PROCID=$i SLURM_LOCALID=$i \"$@\" & pids=\"$pids $!\"; i=$((i + 1))\n"
                 "done\n"
                 "rc=0; for p in $pids; do wait $p || rc=1; done; exit $rc\n");
  script("scontrol", "#!/bin/sh\necho 127.0.0.1\n");
  return bin;
}

} // namespace poslab::test
