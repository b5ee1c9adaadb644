#pragma once
// Retrieval examples -> training sequences, with the prompts sweeps use
// (PromptFactory): prompt ids, then the answer's ids as the model would
// continue the prompt, then EOS. The loss mask covers answer + EOS. Each
// example's gold position is drawn from positionWeights (uniform when empty)
// by a generator seeded from (seed, example.index), so the draw of one example
// does not depend on which others are in the set.
#include "core/prompt/PromptFactory.h"
#include "core/train/TrainingSequence.h"

#include <cstdint>
#include <vector>

namespace poslab {

class PromptSequenceBuilder {
public:
  // eos: the id appended after the answer. positionWeights: relative weight of
  // each 0-based gold position (non-negative, some > 0); its length must equal
  // every example's position count.
  PromptSequenceBuilder(const PromptFactory& factory, int32_t eos, std::vector<double> positionWeights,
                        uint64_t seed);

  size_t positionFor(const RetrievalExample& example) const;
  TrainingSequence build(const RetrievalExample& example) const;
  std::vector<TrainingSequence> build(const std::vector<RetrievalExample>& examples) const;

  // "1,2,0.5" -> {1, 2, 0.5}; throws poslab::Error naming `field` on anything else.
  static std::vector<double> parseWeights(const std::string& text, const std::string& field);

private:
  const PromptFactory& factory_;
  int32_t eos_;
  std::vector<double> weights_;
  uint64_t seed_;
};

} // namespace poslab
