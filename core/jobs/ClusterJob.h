#pragma once
// Where and how a job runs on a cluster: the launcher (Slurm's sbatch, or
// torchrun on one machine or several), the shape of the allocation, and
// whether the job folder carries its data (DESIGN.md "Training runs, jobs and
// processes"; docs/DISTRIBUTED.md).
#include <nlohmann/json.hpp>
#include <string>

namespace poslab {

struct ClusterJob {
  std::string launcher = "slurm"; // slurm | torchrun
  int nodes = 1;
  int processesPerNode = 8; // one per GPU (or, DEVICE cpu, one per group of cores)
  std::string device = "cuda";
  std::string timeLimit = "24:00:00"; // Slurm's --time
  std::string partition;              // Slurm's --partition ("" = the cluster's default)
  bool copyData = true;               // training and held-out data into the job folder

  nlohmann::json toJson() const;
  // `source` names the file in errors; every field is checked.
  static ClusterJob fromJson(const nlohmann::json& j, const std::string& source);
  void validate(const std::string& source) const; // throws poslab::Error naming the field
};

} // namespace poslab
