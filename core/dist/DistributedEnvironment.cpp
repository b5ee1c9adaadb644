#include "core/dist/DistributedEnvironment.h"

#include "core/util/Error.h"

#include <cstdlib>
#include <limits>

namespace poslab {

namespace {

const char* const kSource = "environment";

// An integer variable in [low, high]; `fallback` when unset or empty.
int integer(const std::function<const char*(const char*)>& get, const char* name, int fallback, int low,
            int high) {
  const char* raw = get(name);
  if (!raw || !*raw) return fallback;
  const std::string text(raw);
  size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < low || value > high)
    fail(kSource, name,
         "is \"" + text + "\"; expected an integer from " + std::to_string(low) + " to " +
             std::to_string(high));
  return static_cast<int>(value);
}

bool isSet(const std::function<const char*(const char*)>& get, const char* name) {
  const char* raw = get(name);
  return raw && *raw;
}

} // namespace

std::string DistributedEnvironment::storePrefix() const {
  return agentStore ? "/worker/attempt_" + std::to_string(restartCount) : std::string();
}

DistributedEnvironment DistributedEnvironment::read(const std::function<const char*(const char*)>& get) {
  DistributedEnvironment e;
  constexpr int kMaxWorld = 1 << 20;
  const bool torchStyle = isSet(get, "RANK") || isSet(get, "WORLD_SIZE");
  const bool slurm = !torchStyle && isSet(get, "SLURM_PROCID") && isSet(get, "SLURM_NTASKS");
  if (torchStyle) {
    if (!isSet(get, "RANK")) fail(kSource, "RANK", "missing (WORLD_SIZE is set)");
    if (!isSet(get, "WORLD_SIZE")) fail(kSource, "WORLD_SIZE", "missing (RANK is set)");
    e.worldSize = integer(get, "WORLD_SIZE", 1, 1, kMaxWorld);
    e.rank = integer(get, "RANK", 0, 0, e.worldSize - 1);
    e.localRank = integer(get, "LOCAL_RANK", e.rank, 0, kMaxWorld);
    const char* agent = get("TORCHELASTIC_USE_AGENT_STORE");
    e.agentStore = agent && std::string(agent) == "True";
    e.restartCount = integer(get, "TORCHELASTIC_RESTART_COUNT", 0, 0, std::numeric_limits<int>::max());
    e.launcher = isSet(get, "TORCHELASTIC_RUN_ID") || e.agentStore ? "torchrun" : "env";
  } else if (slurm) {
    e.worldSize = integer(get, "SLURM_NTASKS", 1, 1, kMaxWorld);
    e.rank = integer(get, "SLURM_PROCID", 0, 0, e.worldSize - 1);
    e.localRank = integer(get, "SLURM_LOCALID", 0, 0, kMaxWorld);
    e.launcher = "slurm";
  }
  if (!e.distributed()) return DistributedEnvironment{};
  const char* addr = get("MASTER_ADDR");
  if (!addr || !*addr)
    fail(kSource, "MASTER_ADDR",
         std::string("missing: a ") + (slurm ? "Slurm job" : "job of WORLD_SIZE > 1") +
             " needs the address of rank 0's host (packaging/slurm/poslab-distill.sbatch exports it)");
  e.masterAddr = addr;
  e.masterPort = integer(get, "MASTER_PORT", 29500, 1, 65535);
  return e;
}

DistributedEnvironment DistributedEnvironment::fromProcess() {
  return read([](const char* name) { return std::getenv(name); });
}

} // namespace poslab
