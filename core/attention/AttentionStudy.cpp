#include "core/attention/AttentionStudy.h"

#include "core/attention/AttentionAggregator.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

namespace poslab {

AttentionStudy::AttentionStudy(const LlamaModel& model, const Tokenizer& tokenizer,
                               std::optional<ChatTemplate> chat, AttentionStudySettings settings)
    : settings_(std::move(settings)), factory_(tokenizer, std::move(chat), settings_.prompt),
      analyzer_(model, &tokenizer, settings_.options) {}

AttentionStudy::AttentionStudy(const Engine& engine, std::optional<ChatTemplate> chat,
                               AttentionStudySettings settings)
    : AttentionStudy(engine.model(), engine.requireTokenizer(), std::move(chat), std::move(settings)) {}

PromptAttention AttentionStudy::analyse(const RetrievalExample& example, size_t goldPosition,
                                        std::optional<HeadSelection> tokenMatrix) const {
  PromptAttention out{factory_.atPosition(example, goldPosition), {}};
  out.analysis = analyzer_.analyse(out.prompt, settings_.query, tokenMatrix);
  return out;
}

AttentionMassMatrix AttentionStudy::aggregate(const std::vector<RetrievalExample>& examples,
                                              const std::function<void(size_t, size_t)>& progress,
                                              const std::atomic<bool>* cancel) const {
  if (examples.empty()) fail("", "examples", "none to aggregate");
  const size_t positions = factory_.positionCount(examples.front());
  for (const RetrievalExample& ex : examples)
    if (factory_.positionCount(ex) != positions)
      fail("example " + std::to_string(ex.index), "documents",
           "has " + std::to_string(factory_.positionCount(ex)) + " positions, the first example " +
               std::to_string(positions) + " (use --docs K)");
  AttentionAggregator aggregator(positions);
  const size_t total = examples.size() * positions;
  size_t done = 0;
  for (const RetrievalExample& ex : examples)
    for (size_t p = 0; p < positions; ++p) {
      if (cancel && cancel->load()) return aggregator.result();
      aggregator.add(analyzer_.profile(factory_.atPosition(ex, p), settings_.query), p);
      if (progress) progress(++done, total);
    }
  return aggregator.result();
}

} // namespace poslab
