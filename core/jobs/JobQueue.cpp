#include "core/jobs/JobQueue.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/UtcClock.h"

#include <algorithm>
#include <filesystem>

namespace poslab {

JobQueue::JobQueue(std::string path) : path_(std::move(path)) {}

std::vector<QueuedJob> JobQueue::jobs() const {
  const nlohmann::json j = JsonFile::readObjectIfPresent(path_);
  std::vector<QueuedJob> out;
  if (!j.contains("jobs")) return out;
  const nlohmann::json& list = j.at("jobs");
  if (!list.is_array()) fail(path_, "jobs", "is not a list");
  size_t i = 0;
  for (const nlohmann::json& e : list) {
    const std::string field = "jobs[" + std::to_string(i++) + "]";
    if (!e.is_object()) fail(path_, field, "is not an object");
    QueuedJob q;
    JsonFile::readField(e, "run", q.run, path_);
    JsonFile::readField(e, "device", q.device, path_);
    JsonFile::readField(e, "args", q.args, path_);
    JsonFile::readField(e, "queued", q.queued, path_);
    if (q.run.empty()) fail(path_, field + ".run", "is missing");
    if (q.device.empty()) fail(path_, field + ".device", "is missing");
    if (q.args.empty()) fail(path_, field + ".args", "is missing");
    out.push_back(std::move(q));
  }
  return out;
}

void JobQueue::write(const std::vector<QueuedJob>& jobs) const {
  nlohmann::json list = nlohmann::json::array();
  for (const QueuedJob& q : jobs)
    list.push_back({{"run", q.run}, {"device", q.device}, {"args", q.args}, {"queued", q.queued}});
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
  JsonFile::write(path_, nlohmann::json{{"jobs", list}});
}

void JobQueue::push(const QueuedJob& job) {
  std::vector<QueuedJob> all = jobs();
  QueuedJob q = job;
  if (q.queued.empty()) q.queued = UtcClock::now();
  all.push_back(std::move(q));
  write(all);
}

bool JobQueue::remove(const std::string& run) {
  std::vector<QueuedJob> all = jobs();
  const auto n = std::erase_if(all, [&](const QueuedJob& q) { return q.run == run; });
  if (n > 0) write(all);
  return n > 0;
}

bool JobQueue::take(const std::string& device, QueuedJob& job) {
  std::vector<QueuedJob> all = jobs();
  auto it = std::find_if(all.begin(), all.end(), [&](const QueuedJob& q) { return q.device == device; });
  if (it == all.end()) return false;
  job = *it;
  all.erase(it);
  write(all);
  return true;
}

} // namespace poslab
