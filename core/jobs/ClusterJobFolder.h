#pragma once
// "Write a cluster job…": a self-contained folder that runs a distill job on a
// cluster with data parallelism, to copy there (or write on a file system the
// cluster shares):
//   submit.sh              run it on the cluster: sbatch (Slurm) or torchrun with
//                          the job's arguments and allocation; run again to continue
//   poslab-distill.sbatch, poslab-torchrun.sh   the launch scripts (packaging/cluster)
//   data/                  the training and held-out data (unless ClusterJob::copyData is off)
//   job.json               the job's settings and the cluster's, as written
//   README.txt             what to do with the folder
//   run/                   (written on the cluster) the run folder the GUI follows
#include "core/jobs/ClusterJob.h"
#include "core/jobs/JobSettings.h"

#include <string>
#include <vector>

namespace poslab {

class ClusterJobFolder {
public:
  // Writes the folder (which must be new or empty) and returns its run folder.
  // templates: the folder holding poslab-distill.sbatch and poslab-torchrun.sh.
  // Throws poslab::Error naming the file or field at fault; on error nothing
  // is left half-written in a folder that existed before.
  static std::string write(const JobSettings& job, const ClusterJob& cluster, const std::string& templates,
                           const std::string& folder);
  // The distill arguments the scripts pass on (without --device/--threads/--out, which they set).
  static std::vector<std::string> jobArguments(const JobSettings& job);
  // submit.sh's text.
  static std::string submitScript(const JobSettings& job, const ClusterJob& cluster,
                                  const std::vector<std::string>& arguments);
  static constexpr const char* kTemplates[] = {"poslab-distill.sbatch", "poslab-torchrun.sh"};
};

} // namespace poslab
