#include "core/chat/ChatTemplate.h"

#include "core/util/Error.h"

namespace poslab {

namespace {

// Jinja's |trim (Python str.strip() on the ASCII whitespace that occurs in prompts).
std::string trim(std::string_view s) {
  const char* space = " \t\n\r\v\f";
  const size_t begin = s.find_first_not_of(space);
  if (begin == std::string_view::npos) return {};
  return std::string(s.substr(begin, s.find_last_not_of(space) - begin + 1));
}

// Collects segments; adjacent ordinary text joins into one segment.
class SegmentWriter {
public:
  void control(const char* text) { out_.push_back({text, true, false}); }
  void text(std::string_view text, bool leadingSpaceIsPrefix = false) {
    if (text.empty()) return;
    if (!leadingSpaceIsPrefix && !out_.empty() && !out_.back().control)
      out_.back().text += text;
    else
      out_.push_back({std::string(text), false, leadingSpaceIsPrefix});
  }
  std::vector<ChatSegment> take() { return std::move(out_); }

private:
  std::vector<ChatSegment> out_;
};

[[noreturn]] void badRole(ChatFamily family, const std::string& role) {
  fail("chat template '" + ChatTemplate::familyName(family) + "'", "role '" + role + "'",
       "not supported (system, user, assistant)");
}

void checkRoles(ChatFamily family, const std::vector<ChatMessage>& messages) {
  for (const ChatMessage& m : messages)
    if (m.role != "system" && m.role != "user" && m.role != "assistant") badRole(family, m.role);
}

// HF Llama-2-chat template: the system text goes into the first user turn.
void renderLlama2(const std::vector<ChatMessage>& all, SegmentWriter& w) {
  size_t first = 0;
  std::optional<std::string> system;
  if (!all.empty() && all[0].role == "system") system = all[first++].content;
  for (size_t i = first; i < all.size(); ++i) {
    const ChatMessage& m = all[i];
    if ((m.role == "user") != ((i - first) % 2 == 0))
      fail("chat template 'llama2'", "messages", "roles must alternate user/assistant/user/...");
    const std::string content =
        (i == first && system) ? "<<SYS>>\n" + *system + "\n<</SYS>>\n\n" + m.content : m.content;
    if (m.role == "user") {
      w.control("<s>");
      w.text("[INST] " + trim(content) + " [/INST]");
    } else {
      std::string reply = " ";
      reply += trim(content);
      reply += ' ';
      w.text(reply);
      w.control("</s>");
    }
  }
}

// meta-llama Llama-3.1-8B-Instruct (same for 3.2 / 3.3 without tools), or 3.0.
void renderLlama3(const std::vector<ChatMessage>& all, bool addGenerationPrompt,
                  const ChatTemplateSettings& s, SegmentWriter& w) {
  auto turn = [&](const std::string& role, const std::string& content) {
    w.control("<|start_header_id|>");
    w.text(role);
    w.control("<|end_header_id|>");
    w.text("\n\n" + content);
    w.control("<|eot_id|>");
  };
  w.control("<|begin_of_text|>");
  size_t first = 0;
  if (s.llama3DateHeader) {
    std::string system;
    if (!all.empty() && all[0].role == "system") system = trim(all[first++].content);
    turn("system", "Cutting Knowledge Date: December 2023\nToday Date: " + s.llama3Date + "\n\n" + system);
  }
  for (size_t i = first; i < all.size(); ++i)
    turn(all[i].role, trim(all[i].content));
  if (addGenerationPrompt) {
    w.control("<|start_header_id|>");
    w.text("assistant");
    w.control("<|end_header_id|>");
    w.text("\n\n" + s.generationPromptSuffix);
  }
}

// mistral-common v3_spm.jinja (or Mistral-Nemo's Tekken template when
// !mistralSpaces): system messages are joined and put before the last user
// message; consecutive messages of one role are joined by blank lines.
void renderMistral(const std::vector<ChatMessage>& all, const ChatTemplateSettings& s, SegmentWriter& w) {
  std::vector<std::string> systemParts;
  std::vector<ChatMessage> turns;
  for (const ChatMessage& m : all) {
    if (m.role == "system")
      systemParts.push_back(m.content);
    else if (!turns.empty() && turns.back().role == m.role)
      turns.back().content += "\n\n" + m.content;
    else
      turns.push_back(m);
  }
  std::string system;
  for (size_t i = 0; i < systemParts.size(); ++i)
    system += (i ? "\n\n" : "") + systemParts[i];
  if (!turns.empty() && turns[0].role != "user")
    fail("chat template 'mistral'", "messages", "the conversation must start with a user message");
  size_t lastUser = 0;
  for (size_t i = 0; i < turns.size(); ++i)
    if (turns[i].role == "user") lastUser = i;

  const bool spaces = s.mistralSpaces;
  w.control("<s>");
  bool addSpace = false;
  for (size_t i = 0; i < turns.size(); ++i) {
    const ChatMessage& m = turns[i];
    if (m.role == "user") {
      // v3: system before the last user message; Nemo: only if it is the last message.
      const bool withSystem = !system.empty() && (spaces ? i == lastUser : i + 1 == turns.size());
      w.control("[INST]");
      std::string text = spaces ? " " : "";
      if (withSystem) text += system + "\n\n";
      text += m.content;
      w.text(text, spaces);
      w.control("[/INST]");
      addSpace = i + 1 < turns.size();
    } else {
      if (m.content.empty())
        fail("chat template 'mistral'", "messages", "an assistant message must have content");
      const bool space = spaces && addSpace;
      std::string reply = space ? " " : "";
      reply += m.content;
      w.text(reply, space);
      addSpace = false;
      w.control("</s>");
    }
  }
}

// Qwen2.5-7B-Instruct (no tools); QwQ with chatmlDefaultSystem = nullopt.
void renderChatMl(const std::vector<ChatMessage>& all, bool addGenerationPrompt,
                  const ChatTemplateSettings& s, SegmentWriter& w) {
  auto turn = [&](const std::string& role, const std::string& content) {
    w.control("<|im_start|>");
    w.text(role + "\n" + content);
    w.control("<|im_end|>");
    w.text("\n");
  };
  const bool hasSystem = !all.empty() && all[0].role == "system";
  if (hasSystem)
    turn("system", all[0].content);
  else if (s.chatmlDefaultSystem)
    turn("system", *s.chatmlDefaultSystem);
  for (size_t i = hasSystem ? 1 : 0; i < all.size(); ++i)
    turn(all[i].role, all[i].content);
  if (addGenerationPrompt) {
    w.control("<|im_start|>");
    w.text("assistant\n" + s.generationPromptSuffix);
  }
}

// microsoft Phi-3.5-mini-instruct. Without a generation prompt it ends with eos.
void renderPhi3(const std::vector<ChatMessage>& all, bool addGenerationPrompt, SegmentWriter& w) {
  for (const ChatMessage& m : all) {
    if (m.role == "system" && m.content.empty()) continue;
    w.control(m.role == "system" ? "<|system|>" : m.role == "user" ? "<|user|>" : "<|assistant|>");
    w.text("\n" + m.content);
    w.control("<|end|>");
    w.text("\n");
  }
  if (addGenerationPrompt) {
    w.control("<|assistant|>");
    w.text("\n");
  } else {
    w.control("<|endoftext|>");
  }
}

} // namespace

ChatTemplate::ChatTemplate(ChatFamily family, ChatTemplateSettings settings)
    : family_(family), settings_(std::move(settings)) {}

std::vector<std::string> ChatTemplate::familyNames() {
  return {"llama2", "llama3", "mistral", "chatml", "phi3", "none"};
}

std::string ChatTemplate::familyName(ChatFamily family) {
  switch (family) {
  case ChatFamily::Llama2:
    return "llama2";
  case ChatFamily::Llama3:
    return "llama3";
  case ChatFamily::Mistral:
    return "mistral";
  case ChatFamily::ChatMl:
    return "chatml";
  case ChatFamily::Phi3:
    return "phi3";
  case ChatFamily::None:
    break;
  }
  return "none";
}

ChatTemplate ChatTemplate::fromName(std::string_view name, ChatTemplateSettings settings) {
  for (ChatFamily f : {ChatFamily::Llama2, ChatFamily::Llama3, ChatFamily::Mistral, ChatFamily::ChatMl,
                       ChatFamily::Phi3, ChatFamily::None})
    if (familyName(f) == name) return ChatTemplate(f, std::move(settings));
  std::string known;
  for (const std::string& n : familyNames())
    known += (known.empty() ? "" : ", ") + n;
  fail("", "chat template '" + std::string(name) + "'", "unknown (known: " + known + ")");
}

std::vector<ChatSegment> ChatTemplate::segments(const std::vector<ChatMessage>& messages,
                                                bool addGenerationPrompt) const {
  checkRoles(family_, messages);
  SegmentWriter w;
  switch (family_) {
  case ChatFamily::Llama2:
    renderLlama2(messages, w);
    break;
  case ChatFamily::Llama3:
    renderLlama3(messages, addGenerationPrompt, settings_, w);
    break;
  case ChatFamily::Mistral:
    renderMistral(messages, settings_, w);
    break;
  case ChatFamily::ChatMl:
    renderChatMl(messages, addGenerationPrompt, settings_, w);
    break;
  case ChatFamily::Phi3:
    renderPhi3(messages, addGenerationPrompt, w);
    break;
  case ChatFamily::None:
    for (size_t i = 0; i < messages.size(); ++i)
      w.text((i ? "\n\n" : "") + messages[i].content);
    break;
  }
  return w.take();
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const {
  std::string out;
  for (const ChatSegment& s : segments(messages, addGenerationPrompt))
    out += s.text;
  return out;
}

Encoding ChatTemplate::encode(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                              bool addGenerationPrompt) const {
  // Does the tokenizer put "▁" before a text of its own accord (SentencePiece's dummy prefix)?
  const Encoding probe = tokenizer.encode("a");
  const bool tokenizerAddsPrefix =
      !probe.ids.empty() && tokenizer.piece(probe.ids[0]).starts_with("\xE2\x96\x81");
  Encoding out;
  size_t pos = 0;
  for (const ChatSegment& s : segments(messages, addGenerationPrompt)) {
    if (s.control) {
      const auto id = tokenizer.pieceToId(s.text);
      if (!id)
        fail("chat template '" + familyName(family_) + "'", "'" + s.text + "'",
             "not a token of this vocabulary");
      out.ids.push_back(*id);
      out.offsets.push_back({pos, pos + s.text.size()});
    } else {
      const size_t skip = (s.leadingSpaceIsPrefix && tokenizerAddsPrefix && s.text.starts_with(' ')) ? 1 : 0;
      const Encoding part = tokenizer.encode(std::string_view(s.text).substr(skip));
      for (size_t i = 0; i < part.ids.size(); ++i) {
        out.ids.push_back(part.ids[i]);
        out.offsets.push_back({pos + skip + part.offsets[i].begin, pos + skip + part.offsets[i].end});
      }
    }
    pos += s.text.size();
  }
  return out;
}

} // namespace poslab
