#pragma once
// Built-in renderers of the chat templates of the model families the papers
// use. Each reproduces, for plain {role, content} conversations (no tools),
// exactly the text the model's own Jinja template renders:
//   llama2   HF Llama-2-chat:   <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {reply} </s>
//   llama3   Llama 3.1/3.2/3.3 (with the "Cutting Knowledge Date" system header)
//            or Llama 3.0 (without it): <|begin_of_text|><|start_header_id|>...<|eot_id|>
//   mistral  mistral-common v3 (Mistral-7B-Instruct-v0.3): <s>[INST] {system}\n\n{last user}[/INST]
//   {reply}</s>;
//            or the Tekken form of Mistral-Nemo (no spaces)
//   chatml   Qwen2.5 / Qwen1.5 / QwQ: <|im_start|>role\n...<|im_end|>\n (default system text a setting)
//   phi3     Phi-3.5-mini: <|system|>\n...<|end|>\n<|user|>\n...<|end|>\n<|assistant|>\n
//   none     the contents joined by blank lines, no markers
//
// render() returns the text WITH the BOS text where the template has it
// (llama2, llama3, mistral). To turn it into ids, prefer encode(): it maps the
// template's control texts to their ids, never parses message contents for
// special tokens, and handles SentencePiece's dummy prefix (see encode()).
// Encoding render()'s text directly needs EncodeOptions{addBos = false,
// parseSpecial = true}; with a SentencePiece model that adds a "▁" to each
// fragment, that gives an extra "▁" after [INST] / [/INST] for mistral.
#include "core/tokenizer/Tokenizer.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace poslab {

struct ChatMessage {
  std::string role; // "system", "user", "assistant"
  std::string content;
};

enum class ChatFamily { None, Llama2, Llama3, Mistral, ChatMl, Phi3 };

struct ChatTemplateSettings {
  // llama3: emit Llama 3.1's system header ("Cutting Knowledge Date: December
  // 2023\nToday Date: {date}\n\n"); false: Llama 3.0's template (no header,
  // no system turn unless given).
  bool llama3DateHeader = true;
  std::string llama3Date = "26 Jul 2024"; // the 3.1 template's default date_string
  // chatml: the system text used when the conversation has none; nullopt: no
  // system turn (QwQ). Default: Qwen2.5's.
  std::optional<std::string> chatmlDefaultSystem =
      std::string("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  // Text after the assistant header of the generation prompt (QwQ: "<think>\n").
  std::string generationPromptSuffix;
  // mistral: "[INST] " and " " before replies (v3 SentencePiece format);
  // false: Mistral-Nemo's Tekken format without those spaces.
  bool mistralSpaces = true;
};

// One run of rendered text: a control token's text, or ordinary text.
struct ChatSegment {
  std::string text;
  bool control = false;
  // Ordinary text whose leading space stands for SentencePiece's dummy prefix
  // (mistral v3: the " " in "[INST] What"); see ChatTemplate::encode().
  bool leadingSpaceIsPrefix = false;
};

class ChatTemplate {
public:
  explicit ChatTemplate(ChatFamily family, ChatTemplateSettings settings = {});
  // By name: "llama2", "llama3", "mistral", "chatml", "phi3", "none". Throws
  // poslab::Error listing the names.
  static ChatTemplate fromName(std::string_view name, ChatTemplateSettings settings = {});
  static std::string familyName(ChatFamily family);
  static std::vector<std::string> familyNames();

  ChatFamily family() const { return family_; }
  const ChatTemplateSettings& settings() const { return settings_; }

  // Throws poslab::Error for roles the template does not know.
  std::vector<ChatSegment> segments(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;
  std::string render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;
  // Ids of the rendered conversation (BOS included where the template has it;
  // do not add another). Control texts become their ids (poslab::Error if the
  // vocabulary lacks one); other text is encoded without parsing special
  // tokens. Where the tokenizer puts its own "▁" before every text it encodes
  // (SentencePiece), a segment's prefix space is left to it, which is how
  // mistral-common encodes v3 chats. Offsets point into render()'s text.
  Encoding encode(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                  bool addGenerationPrompt) const;

private:
  ChatFamily family_;
  ChatTemplateSettings settings_;
};

} // namespace poslab
