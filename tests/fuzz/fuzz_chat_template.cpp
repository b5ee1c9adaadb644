// Fuzz target: chat templates. tokenizer_config.json's chat_template (a string
// or a list of named templates, ChatTemplateLoader) is recognised as a family
// (ChatTemplateDetector), and that family and every built-in one render and
// encode a conversation taken from the rest of the input. The input is
// tokenizer_config.json, then NUL-separated messages, each "role\ncontent".
// Anything but a poslab::Error naming the template and field is a bug.
#include "core/chat/ChatTemplateDetector.h"
#include "core/engine/ChatTemplateLoader.h"
#include "core/tokenizer/BpeTokenizer.h"
#include "core/util/Error.h"
#include "tests/fuzz/FuzzInput.h"
#include "tests/fuzz/FuzzTokenizerJson.h"

#include <memory>

namespace {

const poslab::Tokenizer& vocabulary() {
  static const std::unique_ptr<poslab::BpeTokenizer> tokenizer = [] {
    const std::string_view text = poslab::fuzz::kTokenizerJson;
    return poslab::BpeTokenizer::fromTokenizerJson(poslab::fuzz::asFile(
        reinterpret_cast<const uint8_t*>(text.data()), text.size(), "chat/tokenizer.json"));
  }();
  return *tokenizer;
}

void exercise(const poslab::ChatTemplate& chat, const std::vector<poslab::ChatMessage>& messages) {
  for (bool generationPrompt : {false, true}) {
    try {
      (void)chat.render(messages, generationPrompt);
      (void)chat.encode(vocabulary(), messages, generationPrompt);
    } catch (const poslab::Error&) {
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = poslab::fuzz::parts(data, size);
  poslab::fuzz::partAsFile(parts, 0, "chat/tokenizer_config.json");
  std::vector<poslab::ChatMessage> messages;
  for (size_t i = 1; i < parts.size(); ++i) {
    const size_t newline = parts[i].find('\n');
    if (newline == std::string_view::npos)
      messages.push_back({std::string(parts[i]), ""});
    else
      messages.push_back(
          {std::string(parts[i].substr(0, newline)), std::string(parts[i].substr(newline + 1))});
  }
  const std::string dir = (poslab::fuzz::folder() / "chat").string();
  try {
    exercise(poslab::ChatTemplateLoader::forModel(dir), messages);
  } catch (const poslab::Error&) {
  }
  for (const std::string& name : poslab::ChatTemplate::familyNames())
    exercise(poslab::ChatTemplate::fromName(name), messages);
  return 0;
}
