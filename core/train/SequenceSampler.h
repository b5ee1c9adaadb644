#pragma once
// The order in which training sequences are visited: each epoch is a
// permutation drawn from (seed, epoch) alone, so the state (epoch, index) is
// all a checkpoint needs to continue the same order after a resume. Without
// shuffling every epoch is the identity order (a curriculum).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

class SequenceSampler {
public:
  struct State {
    uint64_t epoch = 0;
    uint64_t index = 0; // position within the epoch's permutation
  };

  SequenceSampler(size_t count, uint64_t seed, bool shuffle = true);

  // The next sequence index; wraps into a new epoch (a new permutation).
  size_t next();

  State state() const { return state_; }
  void setState(State state); // throws poslab::Error if index is past the epoch

  nlohmann::json toJson() const;
  static State stateFromJson(const nlohmann::json& j, const std::string& source);

private:
  void shuffleEpoch();

  size_t count_;
  uint64_t seed_;
  bool shuffle_;
  State state_;
  std::vector<size_t> order_;
};

} // namespace poslab
