#pragma once
// Builds multi-document examples from the oracle file (one gold passage per
// question; upstream's 10/20/30-document files are not available): each question
// gets K-1 distractors drawn from OTHER questions' gold passages. The draw is
// seeded and per question (it depends on the seed and the question's index
// only), never repeats a passage, never uses the question's own gold passage
// (nor a copy of it), and by default skips passages that contain one of the
// question's answers as a whole word (ASCII case-insensitive), since such a
// "distractor" would be a second gold. The results carry
// metadata {"distractors": "random", "distractor_seed": "<seed>"}: they are not
// the paper's retrieved distractors, and plots must say so.
#include "core/data/RetrievalExample.h"

#include <cstdint>
#include <vector>

namespace poslab {

struct RandomDistractorOptions {
  size_t documents = 20;         // K, gold included
  uint64_t seed = 0;             //
  bool skipAnswerBearing = true; // skip passages containing an answer (see above)
};

class RandomDistractors {
public:
  explicit RandomDistractors(RandomDistractorOptions options) : options_(options) {}

  // Each output example: the gold passage at index 0 followed by K-1 distractors
  // (place it with GoldPlacement). Throws poslab::Error when the pool is too small.
  std::vector<RetrievalExample> apply(const std::vector<RetrievalExample>& oracle) const;

private:
  RandomDistractorOptions options_;
};

} // namespace poslab
