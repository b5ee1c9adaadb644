#pragma once
// One experiment prompt, end to end: the gold placed at a position
// (GoldPlacement), the template rendered (PromptBuilder) inside the model's chat
// template when it has one, tokenised, and every part located in tokens
// (TokenSpans). Sweeps, attention analysis and training all build their prompts
// here, so the three see exactly the same tokens.
#include "core/chat/ChatTemplate.h"
#include "core/data/GoldPlacement.h"
#include "core/prompt/BuiltPrompt.h"
#include "core/prompt/PromptBuilder.h"
#include "core/prompt/PromptTemplate.h"
#include "core/prompt/TokenSpans.h"
#include "core/tokenizer/Tokenizer.h"

#include <optional>
#include <string>
#include <vector>

namespace poslab {

struct PromptSettings {
  PromptStyle style = PromptStyle::Qa; // built-in template; ignored when templateFile is set
  std::string templateFile;            // a user template ({search_results}, {question}, ...)
  std::string system;                  // system message for chat models ("" = none)
  PlacementOptions placement;          // --docs K and the distractor shuffle seed
};

struct PromptInstance {
  RetrievalExample example;       // as placed: the gold at `position`
  std::optional<size_t> position; // nullopt for closed-book and oracle prompts; a pair's pre
  BuiltPrompt built;              // text and byte spans
  Encoding encoding;              // ids and per-token byte offsets into built.text
  TokenSpans spans;               // token ranges of the documents, question and answer cue
};

class PromptFactory {
public:
  // chat: the model's chat template; nullopt or family None gives the plain
  // prompt with the tokenizer's own BOS rule.
  PromptFactory(const Tokenizer& tokenizer, std::optional<ChatTemplate> chat, PromptSettings settings);

  size_t positionCount(const RetrievalExample& example) const;
  PromptInstance atPosition(const RetrievalExample& example, size_t position) const;
  // A two-hop example with hop 1 at `pre` and hop 2 at `post` (GoldPlacement::placePair).
  PromptInstance atPair(const RetrievalExample& example, size_t pre, size_t post) const;
  // The number of documents a prompt of this example lists (--docs K, or all).
  size_t itemCount(const RetrievalExample& example) const { return placement_.itemCount(example); }
  // The closed-book template (no documents), METHOD.md §1. Not for KV.
  PromptInstance closedBook(const RetrievalExample& example) const;
  // The gold document alone (a two-hop example: both hops, in hop order), in
  // the experiment's template. Not for KV.
  PromptInstance oracle(const RetrievalExample& example) const;

  // The ids of `answer` as the model would continue the prompt (a space after a
  // plain prompt's "Answer:"), without EOS. Teacher forcing scores these, and
  // training targets are these followed by EOS.
  std::vector<int32_t> answerIds(const PromptInstance& prompt, const std::string& answer) const;

  const PromptSettings& settings() const { return settings_; }
  const PromptTemplate& promptTemplate() const { return builder_.promptTemplate(); }
  bool usesChat() const { return chat_.has_value(); }

private:
  PromptInstance render(const RetrievalExample& example, const PromptBuilder& builder,
                        std::optional<size_t> position) const;

  const Tokenizer& tokenizer_;
  std::optional<ChatTemplate> chat_;
  PromptSettings settings_;
  PromptBuilder builder_;
  PromptBuilder closedBookBuilder_;
  GoldPlacement placement_;
  ChatWrap wrap_; // the chat template's text around the user message
};

} // namespace poslab
