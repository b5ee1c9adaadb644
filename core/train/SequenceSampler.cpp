#include "core/train/SequenceSampler.h"

#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <numeric>

namespace poslab {

SequenceSampler::SequenceSampler(size_t count, uint64_t seed, bool shuffle)
    : count_(count), seed_(seed), shuffle_(shuffle) {
  if (count_ == 0) fail("training data", "sequences", "no training sequences");
  shuffleEpoch();
}

void SequenceSampler::shuffleEpoch() {
  order_.resize(count_);
  std::iota(order_.begin(), order_.end(), size_t{0});
  if (!shuffle_) return;
  SeededRandom rng(SeededRandom::derive(seed_, state_.epoch));
  rng.shuffle(order_);
}

size_t SequenceSampler::next() {
  if (state_.index >= count_) {
    ++state_.epoch;
    state_.index = 0;
    shuffleEpoch();
  }
  return order_[state_.index++];
}

void SequenceSampler::setState(State state) {
  if (state.index > count_)
    fail("sampler", "index",
         std::to_string(state.index) + " is past the epoch's " + std::to_string(count_) +
             " sequences (different training data?)");
  state_ = state;
  shuffleEpoch();
}

nlohmann::json SequenceSampler::toJson() const {
  return {{"epoch", state_.epoch}, {"index", state_.index}, {"count", count_}, {"seed", seed_}};
}

SequenceSampler::State SequenceSampler::stateFromJson(const nlohmann::json& j, const std::string& source) {
  if (!j.is_object()) fail(source, "sampler", "must be an object");
  State s;
  for (const char* key : {"epoch", "index"}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned())
      fail(source, std::string("sampler.") + key, "missing or not a count");
  }
  s.epoch = j["epoch"].get<uint64_t>();
  s.index = j["index"].get<uint64_t>();
  return s;
}

} // namespace poslab
