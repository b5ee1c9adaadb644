#pragma once
// Recognises a chat template's family from its Jinja text (tokenizer_config.json
// "chat_template" or GGUF "tokenizer.chat_template") by the markers each family
// emits. A template it does not recognise is reported as such, never guessed;
// the user then picks a family by name (ChatTemplate::fromName).
#include "core/chat/ChatTemplate.h"

#include <optional>
#include <string>
#include <string_view>

namespace poslab {

struct ChatTemplateDetection {
  std::optional<ChatFamily> family; // empty: not recognised
  ChatTemplateSettings settings; // variant details read from the template (date header, default system, ...)
  std::string reason;            // what decided it, or why nothing was recognised
};

class ChatTemplateDetector {
public:
  static ChatTemplateDetection detect(std::string_view jinja);
  // The user's choice by name when given, else detect(); throws poslab::Error
  // "unrecognised chat template (...)" naming the families to choose from.
  static ChatTemplate choose(std::string_view jinja, std::string_view overrideName = {});
};

} // namespace poslab
