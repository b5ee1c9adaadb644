#pragma once
// Run folders outside the workspace that the GUI follows beside its own runs:
// a cluster job's run/ on a shared file system, or one copied back
// (<workspace>/jobs/followed.json: {"runs": ["/path/run", ...]}).
#include <string>
#include <vector>

namespace poslab {

class FollowedRuns {
public:
  explicit FollowedRuns(std::string path) : path_(std::move(path)) {}
  // The followed folders; none when the file does not exist. Throws
  // poslab::Error naming the file and field when it is damaged.
  std::vector<std::string> read() const;
  // Adds a folder (absolute, once); refused on a damaged file, which is kept.
  void add(const std::string& runDir) const;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

} // namespace poslab
