#include "core/dist/ProcessGroup.h"

#include "core/util/Error.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace poslab {

struct ProcessGroup::Backend {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
};

namespace {

std::vector<uint8_t> bytes(const std::string& s) {
  return {s.begin(), s.end()};
}
std::string text(const std::vector<uint8_t>& b) {
  return {b.begin(), b.end()};
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

std::string firstLine(const std::string& s) {
  const size_t end = s.find('\n');
  return end == std::string::npos ? s : s.substr(0, end);
}

std::string seconds(std::chrono::milliseconds t) {
  std::ostringstream out;
  out << static_cast<double>(t.count()) / 1000.0 << " s";
  return out.str();
}

// A local process's state from /proc: "dead", "stopped" or "running".
std::string localProcessState(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line))
    return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM ? "running" : "dead";
  // "pid (comm) S ...": the state follows the last ')'.
  const size_t close = line.rfind(')');
  const char state = close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
  if (state == 'Z' || state == 'X') return "dead";
  if (state == 'T' || state == 't') return "stopped";
  return "running";
}

std::string seqKey(int rank) {
  return "poslab/collectives/" + std::to_string(rank);
}
std::string whoKey(int rank) {
  return "poslab/process/" + std::to_string(rank);
}

} // namespace

ProcessGroup::ProcessGroup(DistributedEnvironment env, std::chrono::milliseconds timeout)
    : env_(std::move(env)), timeout_(timeout), host_(hostName()), c10d_(std::make_unique<Backend>()) {}

ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::join(const DistributedEnvironment& env, const Options& options) {
  if (!env.distributed()) throw std::logic_error("ProcessGroup::join: a world of one needs no group");
  if (options.timeout.count() <= 0) fail("", "--dist-timeout", "must be positive");
  std::unique_ptr<ProcessGroup> g(new ProcessGroup(env, options.timeout));
  std::string backend = options.backend;
  if (backend == "auto") {
#ifdef USE_C10D_NCCL
    backend = options.device.rfind("cuda", 0) == 0 ? "nccl" : "gloo";
#else
    backend = "gloo";
#endif
  }
  if (backend != "gloo" && backend != "nccl")
    fail("", "--dist-backend", "is \"" + options.backend + "\"; expected auto, gloo or nccl");
  g->backend_ = backend;

  const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(env.masterPort);
    so.timeout = options.timeout;
    if (env.agentStore) { // torchrun's agent serves the store; workers are clients
      so.isServer = false;
      so.waitWorkers = false;
      auto tcp = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
      g->c10d_->store = c10::make_intrusive<c10d::PrefixStore>(env.storePrefix(), tcp);
    } else {
      so.isServer = env.rank == 0;
      so.numWorkers = static_cast<size_t>(env.worldSize);
      so.waitWorkers = true;
      g->c10d_->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
    }
  } catch (const std::exception& e) {
    fail("rank " + std::to_string(env.rank), "the rendezvous store at " + where,
         "cannot join within " + seconds(options.timeout) + ": " + firstLine(e.what()) +
             (env.rank == 0 ? " (is MASTER_PORT free?)"
                            : " (is rank 0 up, and MASTER_ADDR/MASTER_PORT right?)"));
  }
  g->c10d_->store->set(whoKey(env.rank), bytes(g->host_ + " " + std::to_string(getpid())));
  g->c10d_->store->set(seqKey(env.rank), bytes("0"));

  try {
    if (backend == "nccl") {
#ifdef USE_C10D_NCCL
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = options.timeout;
      g->c10d_->group =
          c10::make_intrusive<c10d::ProcessGroupNCCL>(g->c10d_->store, env.rank, env.worldSize, o);
#else
      fail("", "--dist-backend", "nccl: this LibTorch was built without NCCL (a CPU build); use gloo");
#endif
    } else {
      auto o = c10d::ProcessGroupGloo::Options::create(options.timeout);
      // GLOO_SOCKET_IFNAME picks the interface as in PyTorch; a loopback
      // rendezvous stays on loopback; else the address this host's name resolves to.
      const char* iface = std::getenv("GLOO_SOCKET_IFNAME");
      if (iface && *iface)
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(iface));
      else if (env.masterAddr == "127.0.0.1" || env.masterAddr == "localhost")
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      o->threads = 2;
      g->c10d_->group =
          c10::make_intrusive<c10d::ProcessGroupGloo>(g->c10d_->store, env.rank, env.worldSize, o);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    g->failed("joining the " + backend + " group", firstLine(e.what()));
  }
  return g;
}

void ProcessGroup::enter(const std::string& what) {
  ++collectives_;
  try {
    c10d_->store->set(seqKey(env_.rank), bytes(std::to_string(collectives_)));
  } catch (const std::exception& e) {
    failed(what, "the rendezvous store does not answer: " + firstLine(e.what()));
  }
}

void ProcessGroup::wait(const std::string& what, const std::function<void()>& call) {
  const auto t0 = std::chrono::steady_clock::now();
  enter(what);
  try {
    call();
    collectiveSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    failed(what, firstLine(e.what()));
  }
}

std::string ProcessGroup::peers() {
  std::string out;
  try {
    c10d_->store->setTimeout(std::chrono::seconds(2));
    for (int r = 0; r < env_.worldSize; ++r) {
      if (r == env_.rank) continue;
      if (!c10d_->store->check({whoKey(r)})) {
        out += (out.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + ": has not joined";
        continue;
      }
      std::istringstream who(text(c10d_->store->get(whoKey(r))));
      std::string host;
      long pid = 0;
      who >> host >> pid;
      const int64_t done = std::stoll(text(c10d_->store->get(seqKey(r))));
      std::string state;
      if (host == host_) {
        // A peer killed a moment ago may still be tearing down (its sockets close
        // before it becomes a zombie): give its state up to a second to settle.
        state = localProcessState(pid);
        for (int i = 0; i < 50 && state == "running"; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          state = localProcessState(pid);
        }
      }
      if (state != "dead")
        state += std::string(state.empty() ? "" : ", ") + "in collective #" + std::to_string(done) +
                 " (this rank: #" + std::to_string(collectives_) + ")";
      out += (out.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r) + " (pid " +
             std::to_string(pid) + " on " + host + "): " + state;
    }
  } catch (const std::exception&) {
    out += std::string(out.empty() ? "" : "; ") +
           "the rendezvous store on rank 0's host does not answer: rank 0 is gone";
  }
  return out;
}

void ProcessGroup::failed(const std::string& what, const std::string& reason) {
  fail("rank " + std::to_string(env_.rank), what,
       "the " + backend_ + " collective failed (" + reason + "); " + peers() +
           ". The job stops; the last complete checkpoint is intact and --resume continues");
}

void ProcessGroup::reduceBucket(std::vector<at::Tensor> bucket, const std::string& what,
                                std::chrono::milliseconds timeout) {
  if (bucket.empty()) return;
  // [total] in the reduction dtype: fp32 for half types (Gloo has no bf16 sum).
  const at::ScalarType type = bucket[0].scalar_type();
  const at::ScalarType sumType = type == at::kBFloat16 || type == at::kHalf ? at::kFloat : type;
  std::vector<at::Tensor> flat;
  flat.reserve(bucket.size());
  for (const at::Tensor& t : bucket)
    flat.push_back(t.reshape({-1}).to(sumType));
  std::vector<at::Tensor> packed{at::cat(flat)};
  c10d::AllreduceOptions o;
  o.timeout = timeout;
  wait(what, [&] { c10d_->group->allreduce(packed, o)->wait(timeout); });
  int64_t offset = 0;
  for (const at::Tensor& t : bucket) {
    t.copy_(packed[0].narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

void ProcessGroup::allReduceSum(const std::vector<at::Tensor>& tensors, const std::string& what,
                                std::optional<std::chrono::milliseconds> timeout) {
  at::NoGradGuard noGrad;
  const std::chrono::milliseconds bound = timeout.value_or(timeout_);
  std::vector<at::Tensor> bucket;
  int64_t bucketBytes = 0;
  for (const at::Tensor& t : tensors) {
    if (!t.defined()) throw std::logic_error("ProcessGroup::allReduceSum: an undefined tensor");
    const int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
    const bool fits = bucket.empty() || (bucket[0].scalar_type() == t.scalar_type() &&
                                         bucket[0].device() == t.device() && bucketBytes + b <= kBucketBytes);
    if (!fits) {
      reduceBucket(std::move(bucket), what, bound);
      bucket.clear();
      bucketBytes = 0;
    }
    bucket.push_back(t);
    bucketBytes += b;
  }
  reduceBucket(std::move(bucket), what, bound);
}

std::vector<double> ProcessGroup::allReduceSum(const std::vector<double>& values, const std::string& what,
                                               std::optional<std::chrono::milliseconds> timeout) {
  if (values.empty()) return values;
  at::Tensor t = at::tensor(values, at::kDouble); // [n] on the CPU: Gloo sums doubles
  if (backend_ == "nccl") t = t.to(at::Device("cuda:" + std::to_string(env_.localRank)));
  allReduceSum({t}, what, timeout);
  t = t.to(at::kCPU).contiguous();
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

bool ProcessGroup::anyRank(bool mine, const std::string& what,
                           std::optional<std::chrono::milliseconds> timeout) {
  return allReduceSum(std::vector<double>{mine ? 1.0 : 0.0}, what, timeout)[0] > 0;
}

void ProcessGroup::barrier(const std::string& what, std::optional<std::chrono::milliseconds> timeout) {
  c10d::BarrierOptions o;
  o.timeout = timeout.value_or(timeout_);
  wait(what, [&] { c10d_->group->barrier(o)->wait(o.timeout); });
}

} // namespace poslab
