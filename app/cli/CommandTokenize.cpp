// poslab-cli tokenize MODEL --text S [--no-bos] [--chat [--system S] [--chat-template NAME]] [--json]
// MODEL may be a full model, a vocabulary-only GGUF or a folder holding only
// tokenizer files: no weights are read.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/engine/ChatTemplateLoader.h"
#include "core/engine/TokenizerLoader.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace poslab::cli {

void addTokenizeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("tokenize", "Turn text into token ids with a model's tokenizer");
  struct Args {
    std::string model, text, system, chatTemplate;
    bool noBos = false, json = false, chat = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder, .gguf file, or a folder with tokenizer files")
      ->required();
  cmd->add_option("--text", a->text, "Text to tokenize")->required();
  cmd->add_flag("--no-bos", a->noBos, "Do not prepend BOS even if the model's config says to");
  cmd->add_flag("--chat", a->chat, "Wrap the text as a user message in the model's chat template");
  cmd->add_option("--system", a->system, "System message for --chat");
  cmd->add_option("--chat-template", a->chatTemplate,
                  "Chat family instead of the detected one (implies --chat)");
  cmd->add_flag("--json", a->json, "Print one JSON document: ids, pieces, byte offsets");
  cmd->callback([a] {
    auto tok = TokenizerLoader::load(a->model);
    if (!tok) fail(a->model, "tokenizer", "none found (looked for " + TokenizerLoader::searchedFiles() + ")");
    Encoding e;
    if (a->chat || !a->chatTemplate.empty()) {
      // The template writes BOS itself where the model's template does.
      ChatTemplate chat = ChatTemplateLoader::forModel(a->model, a->chatTemplate);
      std::vector<ChatMessage> messages;
      if (!a->system.empty()) messages.push_back({"system", a->system});
      messages.push_back({"user", a->text});
      e = chat.encode(*tok, messages, /*addGenerationPrompt=*/true);
    } else {
      EncodeOptions o;
      o.addBos = !a->noBos && tok->specialTokens().addBos && tok->specialTokens().bos >= 0;
      e = tok->encode(a->text, o);
    }
    if (a->json) {
      nlohmann::json pieces = nlohmann::json::array(), offsets = nlohmann::json::array();
      for (size_t i = 0; i < e.ids.size(); ++i) {
        pieces.push_back(tok->piece(e.ids[i]));
        offsets.push_back({e.offsets[i].begin, e.offsets[i].end});
      }
      printJson({{"ids", e.ids}, {"pieces", pieces}, {"offsets", offsets}, {"tokenizer", tok->kind()}});
      return;
    }
    for (size_t i = 0; i < e.ids.size(); ++i)
      std::cout << (i ? " " : "") << e.ids[i];
    std::cout << '\n';
  });
}

} // namespace poslab::cli
