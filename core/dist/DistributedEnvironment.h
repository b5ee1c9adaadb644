#pragma once
// Who this process is in a data-parallel job, read from the environment the
// launchers set (DESIGN.md, "Training runs, jobs and processes"):
//   torchrun: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT, and under
//     its elastic agent TORCHELASTIC_USE_AGENT_STORE=True (the agent already
//     serves the TCPStore on MASTER_PORT; workers join it under the prefix
//     /worker/attempt_<TORCHELASTIC_RESTART_COUNT>);
//   Slurm (srun, one task per device): SLURM_PROCID, SLURM_NTASKS,
//     SLURM_LOCALID, with MASTER_ADDR/MASTER_PORT exported by the batch script.
// RANK wins over SLURM_PROCID, so torchrun inside an allocation is torchrun.
// No variables, or a world of one, is a single-process run.
#include <cstdint>
#include <functional>
#include <string>

namespace poslab {

struct DistributedEnvironment {
  int rank = 0;
  int worldSize = 1;
  int localRank = 0;
  std::string masterAddr;
  int masterPort = 29500;  // torchrun's default
  bool agentStore = false; // torchrun's agent hosts the store
  int restartCount = 0;    // TORCHELASTIC_RESTART_COUNT
  std::string launcher;    // "torchrun" | "slurm" | "env" | "" (single process)

  bool distributed() const { return worldSize > 1; }
  // The key prefix the agent's store uses for this attempt ("" without an agent).
  std::string storePrefix() const;

  // Throws poslab::Error naming the variable: "environment: RANK: ...".
  static DistributedEnvironment read(const std::function<const char*(const char*)>& get);
  static DistributedEnvironment fromProcess(); // read(std::getenv)
};

} // namespace poslab
