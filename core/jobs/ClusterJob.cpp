#include "core/jobs/ClusterJob.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <regex>

namespace poslab {

nlohmann::json ClusterJob::toJson() const {
  return {{"launcher", launcher}, {"nodes", nodes},          {"processes_per_node", processesPerNode},
          {"device", device},     {"time_limit", timeLimit}, {"partition", partition},
          {"copy_data", copyData}};
}

ClusterJob ClusterJob::fromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "", "is not a JSON object");
  ClusterJob c;
  JsonFile::readField(j, "launcher", c.launcher, source);
  JsonFile::readField(j, "nodes", c.nodes, source);
  JsonFile::readField(j, "processes_per_node", c.processesPerNode, source);
  JsonFile::readField(j, "device", c.device, source);
  JsonFile::readField(j, "time_limit", c.timeLimit, source);
  JsonFile::readField(j, "partition", c.partition, source);
  JsonFile::readField(j, "copy_data", c.copyData, source);
  c.validate(source);
  return c;
}

void ClusterJob::validate(const std::string& source) const {
  if (launcher != "slurm" && launcher != "torchrun")
    fail(source, "launcher", "is \"" + launcher + "\"; expected slurm or torchrun");
  if (nodes < 1 || nodes > 4096) fail(source, "nodes", "must be from 1 to 4096");
  if (processesPerNode < 1 || processesPerNode > 1024)
    fail(source, "processes_per_node", "must be from 1 to 1024");
  if (device != "cuda" && device != "cpu")
    fail(source, "device", "is \"" + device + "\"; expected cuda or cpu");
  // Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
  static const std::regex time(R"(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2})");
  if (!std::regex_match(timeLimit, time))
    fail(source, "time_limit",
         "is \"" + timeLimit + "\"; expected Slurm's form, e.g. 24:00:00 or 2-00:00:00");
  static const std::regex name(R"([A-Za-z0-9_.,-]*)");
  if (!std::regex_match(partition, name))
    fail(source, "partition", "is \"" + partition + "\"; not a partition name");
}

} // namespace poslab
