#pragma once
// Attention analysis as a front end asks for it (DESIGN.md "the engine's
// face"): examples from a dataset file, one (example, gold position) analysed,
// or every position of many examples aggregated into the document ×
// gold-position matrix. Plain types in and out; blocking, with progress and a
// cancel flag for app/'s worker threads.
#include "core/attention/AttentionAnalyzer.h"
#include "core/attention/AttentionMassMatrix.h"
#include "core/chat/ChatTemplate.h"
#include "core/data/RetrievalExample.h"
#include "core/prompt/PromptFactory.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class Engine;

struct AttentionStudySettings {
  PromptSettings prompt; // template, --docs K, distractor shuffle
  AttentionQuery query = AttentionQuery::LastToken;
  AttentionOptions options;
};

// The analysis of one (example, position) with the prompt it was made from.
struct PromptAttention {
  PromptInstance prompt;
  AttentionAnalysis analysis;
};

class AttentionStudy {
public:
  // chat: the model's chat template, or nullopt for the plain prompt.
  AttentionStudy(const LlamaModel& model, const Tokenizer& tokenizer, std::optional<ChatTemplate> chat,
                 AttentionStudySettings settings);
  // The loaded engine's model and tokenizer (throws naming the model when it
  // has none): how app/ asks, without reaching the model object itself.
  AttentionStudy(const Engine& engine, std::optional<ChatTemplate> chat, AttentionStudySettings settings);

  PromptAttention analyse(const RetrievalExample& example, size_t goldPosition,
                          std::optional<HeadSelection> tokenMatrix = std::nullopt) const;

  // Every gold position of every example (all must have the same number of
  // positions). progress(done, total) after each prompt; a set cancel flag
  // stops between prompts and returns the partial matrix (counts say so).
  AttentionMassMatrix aggregate(const std::vector<RetrievalExample>& examples,
                                const std::function<void(size_t done, size_t total)>& progress = {},
                                const std::atomic<bool>* cancel = nullptr) const;

  const PromptFactory& prompts() const { return factory_; }

private:
  AttentionStudySettings settings_;
  PromptFactory factory_;
  AttentionAnalyzer analyzer_;
};

} // namespace poslab
