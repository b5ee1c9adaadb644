// poslab-cli generate MODEL (--prompt S | --ids 1,2,3) [--max-new-tokens N] [--stop S]...
//                    [--chat [--system S] [--chat-template NAME]] [--json]
// Greedy decoding; streams text as it is produced unless --json.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "core/engine/ChatTemplateLoader.h"
#include "core/engine/Engine.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace poslab::cli {

void addGenerateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Greedy generation from a prompt or from token ids");
  struct Args {
    std::string model, prompt, ids, dtype = "f32", device = "cpu", system, chatTemplate;
    std::vector<std::string> stops;
    int64_t maxNew = 100;
    int threads = 0;
    bool json = false, noBos = false, chat = false;
  };
  auto a = std::make_shared<Args>();
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("MODEL", a->model, "Hugging Face folder, .gguf file or PEFT adapter folder")->required();
  addAdapterOptions(cmd, *adapter);
  auto* prompt = cmd->add_option("--prompt", a->prompt, "Prompt text (BOS added as the model's config says)");
  auto* ids = cmd->add_option("--ids", a->ids, "Prompt as comma-separated token ids");
  prompt->excludes(ids);
  cmd->add_option("--max-new-tokens", a->maxNew, "Most tokens to generate (default 100)")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--stop", a->stops, "Stop when the output contains this string (repeatable)");
  cmd->add_flag("--no-bos", a->noBos, "Do not prepend BOS to --prompt");
  cmd->add_flag("--chat", a->chat, "Send --prompt as a user message through the model's chat template");
  cmd->add_option("--system", a->system, "System message for --chat");
  cmd->add_option("--chat-template", a->chatTemplate,
                  "Chat family instead of the detected one (implies --chat)");
  cmd->add_option("--dtype", a->dtype, "f32, bf16 or f16 (CUDA)");
  cmd->add_option("--device", a->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->add_flag("--json", a->json, "Print one JSON document: {\"ids\": [...], \"text\": \"...\"}");
  cmd->callback([=] {
    if (prompt->count() == 0 && ids->count() == 0) fail("", "generate", "give --prompt or --ids");
    if ((a->chat || !a->chatTemplate.empty()) && ids->count())
      fail("", "--chat", "needs --prompt, not --ids");
    auto engine = Engine::open(a->model, adapter->options(a->device, a->dtype, a->threads));
    GenerateRequest r;
    r.maxNewTokens = a->maxNew;
    r.stopStrings = a->stops;
    if (ids->count()) {
      r.promptIds = parseIds(a->ids);
    } else if (a->chat || !a->chatTemplate.empty()) {
      ChatTemplate chat = ChatTemplateLoader::forModel(a->model, a->chatTemplate);
      std::vector<ChatMessage> messages;
      if (!a->system.empty()) messages.push_back({"system", a->system});
      messages.push_back({"user", a->prompt});
      r.promptIds = chat.encode(engine->requireTokenizer(), messages, /*addGenerationPrompt=*/true).ids;
    } else {
      const Tokenizer& tok = engine->requireTokenizer();
      const bool bos = !a->noBos && tok.specialTokens().addBos && tok.specialTokens().bos >= 0;
      r.promptIds = engine->tokenize(a->prompt, bos).ids;
    }
    const Tokenizer* tok = engine->tokenizer();
    std::vector<int32_t> soFar;
    std::string printed;
    auto stream = [&](int32_t id) {
      if (a->json || !tok) return;
      // Decode the whole output each time: multi-byte characters can span tokens.
      // Their unfinished bytes decode to trailing U+FFFD until the rest comes, so
      // those are held back (and printed at the end if generation stops inside one).
      soFar.push_back(id);
      std::string text = tok->decode(soFar);
      constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
      while (text.ends_with(kReplacement))
        text.resize(text.size() - kReplacement.size());
      if (text.size() > printed.size() && text.compare(0, printed.size(), printed) == 0) {
        std::cout << text.substr(printed.size()) << std::flush;
        printed = text;
      }
    };
    GenerateResult out = engine->generate(r, stream);
    if (a->json) {
      printJson({{"ids", out.ids},
                 {"text", out.text},
                 {"stop_reason", out.stopReason},
                 {"prompt_tokens", out.promptTokens},
                 {"prefill_s", out.prefillSeconds},
                 {"decode_s", out.decodeSeconds}});
    } else if (!tok) {
      for (size_t i = 0; i < out.ids.size(); ++i)
        std::cout << (i ? " " : "") << out.ids[i];
      std::cout << '\n';
    } else {
      const std::string text = tok->decode(soFar);
      if (text.size() > printed.size() && text.compare(0, printed.size(), printed) == 0)
        std::cout << text.substr(printed.size());
      std::cout << '\n';
    }
  });
}

} // namespace poslab::cli
