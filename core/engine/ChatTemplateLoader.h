#pragma once
// A model's chat template: the Jinja text from tokenizer_config.json's
// `chat_template` or GGUF's `tokenizer.chat_template`, recognised as one of the
// built-in families (ChatTemplateDetector), or the family the user names.
#include "core/chat/ChatTemplate.h"

#include <string>

namespace poslab {

class ChatTemplateLoader {
public:
  // overrideName: "" to detect; else a family name ("llama3", "chatml", ...).
  // Throws poslab::Error when the model has no template and none is named, or
  // the template is not recognised (never a silent guess).
  static ChatTemplate forModel(const std::string& modelPath, const std::string& overrideName = {});
  // The raw Jinja template text, "" when the model has none.
  static std::string templateText(const std::string& modelPath);
};

} // namespace poslab
