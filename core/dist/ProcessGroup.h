#pragma once
// This process's place in a data-parallel job: a c10d process group (Gloo on
// CPUs, NCCL on CUDA when LibTorch has it) over the TCPStore rank 0 hosts, or
// torchrun's agent store. PosLab's own code stays small: what the trainer
// needs is a bucketed sum over ranks, a barrier and a broadcast, each named by
// what it is for, so a failure can say which step it hit and which rank is
// gone ("rank 0: gradients of step 12: ...; rank 1 (pid 4711 on node3): dead").
//   Every rank records in the store, before each collective, how many it has
//   entered and (once) its host and pid; a rank whose collective fails reads
//   them back to tell dead, stopped and lagging peers apart. A peer killed
//   with SIGKILL fails the others within about 0.2 s; a hung one at the
//   timeout (--dist-timeout; Gloo's own default is 30 minutes).
#include "core/dist/DistributedEnvironment.h"

#include <ATen/ATen.h>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class ProcessGroup {
public:
  struct Options {
    std::string backend = "auto"; // auto (NCCL for CUDA devices when built with it, else Gloo) | gloo | nccl
    std::chrono::milliseconds timeout = std::chrono::minutes(5); // each collective's bound
    std::string device = "cpu";                                  // this rank's device
  };
  // Joins the job (blocks until every rank has joined, up to the timeout).
  static std::unique_ptr<ProcessGroup> join(const DistributedEnvironment& env, const Options& options);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return env_.rank; }
  int size() const { return env_.worldSize; }
  bool leader() const { return env_.rank == 0; }
  const std::string& backend() const { return backend_; }
  const DistributedEnvironment& environment() const { return env_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  // Wall seconds this rank spent inside collectives so far (waiting for the
  // others included): a step's share of it is its communication cost.
  double collectiveSeconds() const { return collectiveSeconds_; }

  // In place: each tensor becomes its sum over the ranks. Tensors are packed
  // into buckets of at most kBucketBytes per dtype; bf16/fp16 are summed in
  // fp32 (Gloo has no bf16 sum). `what` names the collective in errors.
  // `timeout` (default: the group's) bounds the wait; kLeaderPhase where the
  // others wait for work rank 0 does alone.
  void allReduceSum(const std::vector<at::Tensor>& tensors, const std::string& what,
                    std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  std::vector<double> allReduceSum(const std::vector<double>& values, const std::string& what,
                                   std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // true if any rank passes true: a stop one rank saw becomes everyone's.
  bool anyRank(bool mine, const std::string& what,
               std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Every rank waits here.
  void barrier(const std::string& what, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  static constexpr int64_t kBucketBytes = 25 << 20; // PyTorch DDP's default bucket
  // The bound of a barrier at which the other ranks wait for work rank 0 does
  // alone (preparing the distill set, evaluating, writing a checkpoint): hours
  // on a large model. A rank 0 that dies still fails them at once.
  static constexpr std::chrono::milliseconds kLeaderPhase = std::chrono::hours(24);

private:
  ProcessGroup(DistributedEnvironment env, std::chrono::milliseconds timeout);
  void wait(const std::string& what,
            const std::function<void()>& call); // runs a collective, fails naming peers
  void enter(const std::string& what);          // records the collective's number in the store
  // Throws poslab::Error: what failed, the backend's reason, and each peer's state.
  [[noreturn]] void failed(const std::string& what, const std::string& reason);
  std::string peers(); // "rank 1 (pid 4711 on node3): dead; ..."
  void reduceBucket(std::vector<at::Tensor> bucket, const std::string& what,
                    std::chrono::milliseconds timeout);

  struct Backend; // the c10d store and group: their headers stay out of every includer's way

  DistributedEnvironment env_;
  std::chrono::milliseconds timeout_;
  std::string backend_;
  std::string host_;
  int64_t collectives_ = 0;
  double collectiveSeconds_ = 0;
  std::unique_ptr<Backend> c10d_;
};

} // namespace poslab
