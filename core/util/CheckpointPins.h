#pragma once
// <run>/checkpoints/pins.json: the checkpoints a user pinned in the GUI, kept
// by --keep-checkpoints pruning (CheckpointStore) whatever their age. Written
// atomically; a missing file pins nothing, a damaged one is an error naming it.
//   {"pinned": ["step-000050", "step-000300"]}
#include <set>
#include <string>

namespace poslab {

class CheckpointPins {
public:
  // The pinned folder names of runDir's checkpoints.
  static std::set<std::string> read(const std::string& runDir);
  // Pins (or unpins) checkpoints/<name>.
  static void set(const std::string& runDir, const std::string& name, bool pinned);
  static std::string path(const std::string& runDir);
};

} // namespace poslab
