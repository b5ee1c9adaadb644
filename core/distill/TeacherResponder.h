#pragma once
// The teacher's responses R_adv (METHOD.md §2b): the original model's
// continuation of the teacher prompt, greedy (the paper) or sampled at
// temperature T with top-p (the released code), seeded per question so a
// prepared set is reproducible and resumable question by question. A response
// ends with the token that stopped it (EOS, or the one completing a newline, as
// sweeps stop; two-hop: the newline ending the "The answer is" line,
// TaskResponse), which stays in the ids: the student learns to stop too.
#include "core/data/RetrievalExample.h"

#include <cstdint>
#include <string>
#include <vector>

namespace poslab {

class LlamaModel;
class Tokenizer;

struct TeacherResponse {
  std::vector<int32_t> ids;
  std::string text;       // decoded, as the metric reads it (TaskResponse::prediction)
  std::string stopReason; // "eos" | "newline" | "length"
};

class TeacherResponder {
public:
  struct Options {
    bool sampled = false;
    double temperature = 0.7;
    double topP = 0.95;
    int64_t maxNewTokens = 32;
    std::vector<int32_t> stopIds;
    uint64_t seed = 0;
    TaskKind task = TaskKind::Qa; // where a response ends
  };
  TeacherResponder(const LlamaModel& model, const Tokenizer& tokenizer, Options options);

  // One response per prompt; streams[i] seeds prompt i's sampling (its question).
  std::vector<TeacherResponse> respond(const std::vector<std::vector<int32_t>>& prompts,
                                       const std::vector<uint64_t>& streams) const;

private:
  TeacherResponse sample(const std::vector<int32_t>& prompt, uint64_t stream) const;
  // Cuts ids after the token that completes the response (TaskResponse::complete).
  void endAtCompletion(TeacherResponse& r) const;

  const LlamaModel& model_;
  const Tokenizer& tokenizer_;
  Options options_;
};

} // namespace poslab
