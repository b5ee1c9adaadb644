#include "core/chat/ChatTemplateDetector.h"

#include "core/util/Error.h"

namespace poslab {

namespace {

bool has(std::string_view text, std::string_view marker) {
  return text.find(marker) != std::string_view::npos;
}

} // namespace

ChatTemplateDetection ChatTemplateDetector::detect(std::string_view jinja) {
  ChatTemplateDetection d;
  if (has(jinja, "<|start_header_id|>") && has(jinja, "<|eot_id|>")) {
    d.family = ChatFamily::Llama3;
    d.settings.llama3DateHeader = has(jinja, "Cutting Knowledge Date");
    d.reason = d.settings.llama3DateHeader ? "Llama 3.1+ markers with the knowledge-date system header"
                                           : "Llama 3 markers (<|start_header_id|>, <|eot_id|>)";
  } else if (has(jinja, "<|im_start|>") && has(jinja, "<|im_end|>")) {
    d.family = ChatFamily::ChatMl;
    d.reason = "ChatML markers (<|im_start|>, <|im_end|>)";
    const std::string qwen25 = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";
    if (has(jinja, qwen25))
      d.settings.chatmlDefaultSystem = qwen25;
    else if (has(jinja, "You are a helpful assistant."))
      d.settings.chatmlDefaultSystem = "You are a helpful assistant.";
    else
      d.settings.chatmlDefaultSystem.reset();
    if (has(jinja, "<|im_start|>assistant\\n<think>\\n")) d.settings.generationPromptSuffix = "<think>\n";
  } else if (has(jinja, "[SYSTEM_PROMPT]")) {
    d.reason =
        "unrecognised chat template: Mistral [SYSTEM_PROMPT] format (Mistral Small 3.x) is not built in";
  } else if (has(jinja, "[INST]") && has(jinja, "<<SYS>>")) {
    d.family = ChatFamily::Llama2;
    d.reason = "Llama 2 markers ([INST], <<SYS>>)";
  } else if (has(jinja, "'[INST] '") || has(jinja, "\"[INST] \"")) {
    d.family = ChatFamily::Mistral;
    d.reason = "Mistral v3 markers ('[INST] ' with a space)";
  } else if (has(jinja, "\"[INST]\"") || has(jinja, "'[INST]'")) {
    d.family = ChatFamily::Mistral;
    d.settings.mistralSpaces = false;
    d.reason = "Mistral Tekken markers ([INST] without a space, Mistral-Nemo)";
  } else if (has(jinja, "<|user|>") && has(jinja, "<|assistant|>") && has(jinja, "<|end|>")) {
    d.family = ChatFamily::Phi3;
    d.reason = "Phi-3 markers (<|user|>, <|assistant|>, <|end|>)";
  } else {
    d.reason = "unrecognised chat template: none of the Llama 2/3, Mistral, ChatML or Phi-3 markers";
  }
  return d;
}

ChatTemplate ChatTemplateDetector::choose(std::string_view jinja, std::string_view overrideName) {
  if (!overrideName.empty()) return ChatTemplate::fromName(overrideName);
  ChatTemplateDetection d = detect(jinja);
  if (!d.family) {
    std::string names;
    for (const std::string& n : ChatTemplate::familyNames())
      names += (names.empty() ? "" : ", ") + n;
    fail("", "chat template", d.reason + "; choose one by name: " + names);
  }
  return ChatTemplate(*d.family, d.settings);
}

} // namespace poslab
