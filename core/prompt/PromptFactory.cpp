#include "core/prompt/PromptFactory.h"

#include "core/util/Error.h"

namespace poslab {

namespace {

PromptTemplate chooseTemplate(const PromptSettings& s) {
  return s.templateFile.empty() ? PromptTemplate::builtIn(s.style) : PromptTemplate::fromFile(s.templateFile);
}

std::vector<ChatMessage> conversation(const std::string& system, const std::string& user) {
  std::vector<ChatMessage> messages;
  if (!system.empty()) messages.push_back({"system", system});
  messages.push_back({"user", user});
  return messages;
}

// The chat template's text before and after the user message. The templates
// never depend on the message's content, so a sentinel finds the split.
ChatWrap chatWrap(const ChatTemplate& chat, const std::string& system) {
  static const std::string sentinel = "\x01PosLab-user-message\x01";
  const std::string text = chat.render(conversation(system, sentinel), /*addGenerationPrompt=*/true);
  const size_t at = text.find(sentinel);
  if (at == std::string::npos || text.find(sentinel, at + 1) != std::string::npos)
    fail("chat template " + ChatTemplate::familyName(chat.family()), "user message",
         "the rendered template does not hold the message exactly once");
  return {text.substr(0, at), text.substr(at + sentinel.size())};
}

bool isSentencePiece(const Tokenizer& t) {
  return t.kind() == "sentencepiece" || t.kind() == "gguf-spm";
}

} // namespace

PromptFactory::PromptFactory(const Tokenizer& tokenizer, std::optional<ChatTemplate> chat,
                             PromptSettings settings)
    : tokenizer_(tokenizer),
      chat_(chat && chat->family() != ChatFamily::None ? std::move(chat) : std::nullopt),
      settings_(std::move(settings)), builder_(chooseTemplate(settings_)),
      closedBookBuilder_(PromptTemplate::builtIn(PromptStyle::ClosedBook)), placement_(settings_.placement) {
  if (chat_) wrap_ = chatWrap(*chat_, settings_.system);
}

size_t PromptFactory::positionCount(const RetrievalExample& example) const {
  return placement_.positionCount(example);
}

PromptInstance PromptFactory::atPosition(const RetrievalExample& example, size_t position) const {
  return render(placement_.place(example, position), builder_, position);
}

PromptInstance PromptFactory::atPair(const RetrievalExample& example, size_t pre, size_t post) const {
  return render(placement_.placePair(example, pre, post), builder_, pre);
}

PromptInstance PromptFactory::closedBook(const RetrievalExample& example) const {
  if (!example.hasDocuments())
    fail("example " + std::to_string(example.index), "closed-book", "is a QA baseline; this is a KV example");
  return render(example, closedBookBuilder_, std::nullopt);
}

PromptInstance PromptFactory::oracle(const RetrievalExample& example) const {
  if (!example.hasDocuments())
    fail("example " + std::to_string(example.index), "oracle", "is a QA baseline; this is a KV example");
  const std::vector<size_t> gold = example.hopIndices();
  if (gold.empty())
    fail("example " + std::to_string(example.index), "documents", "no gold document for the oracle");
  RetrievalExample only = example;
  only.documents.clear();
  for (size_t g : gold)
    only.documents.push_back(example.documents[g]);
  return render(only, builder_, std::nullopt);
}

PromptInstance PromptFactory::render(const RetrievalExample& example, const PromptBuilder& builder,
                                     std::optional<size_t> position) const {
  PromptInstance p;
  p.example = example;
  p.position = position;
  p.built = builder.build(example, wrap_);
  if (chat_) {
    const std::string user = p.built.text.substr(p.built.user.begin, p.built.user.size());
    p.encoding =
        chat_->encode(tokenizer_, conversation(settings_.system, user), /*addGenerationPrompt=*/true);
    // encode()'s offsets index render()'s text; it must be the text we located spans in.
    if (chat_->render(conversation(settings_.system, user), true) != p.built.text)
      fail("chat template " + ChatTemplate::familyName(chat_->family()), "user message",
           "rendering differs from the prompt's text");
  } else {
    const SpecialTokens& sp = tokenizer_.specialTokens();
    p.encoding = tokenizer_.encode(p.built.text, {.addBos = sp.addBos && sp.bos >= 0, .parseSpecial = false});
  }
  p.spans = TokenSpans::of(p.encoding, p.built);
  return p;
}

std::vector<int32_t> PromptFactory::answerIds(const PromptInstance& prompt, const std::string& answer) const {
  // After a chat template's assistant header the reply starts fresh; a
  // SentencePiece tokenizer's dummy prefix then supplies the word's "▁".
  if (chat_) return tokenizer_.encode(answer).ids;
  const std::string& text = prompt.built.text;
  const bool needsSpace = !text.empty() && text.back() != ' ' && text.back() != '\n';
  const std::string sep = needsSpace ? " " : "";
  // Prefer the ids the prompt + answer text really has, when the prompt's ids
  // are a prefix of them (no merge across the boundary).
  const SpecialTokens& sp = tokenizer_.specialTokens();
  const Encoding whole = tokenizer_.encode(text + sep + answer, {.addBos = sp.addBos && sp.bos >= 0});
  const auto& head = prompt.encoding.ids;
  if (whole.ids.size() > head.size() && std::equal(head.begin(), head.end(), whole.ids.begin()))
    return {whole.ids.begin() + static_cast<std::ptrdiff_t>(head.size()), whole.ids.end()};
  return tokenizer_.encode(isSentencePiece(tokenizer_) ? answer : sep + answer).ids;
}

} // namespace poslab
