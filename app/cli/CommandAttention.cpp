// poslab-cli attention --model MODEL --data FILE --example I --gold-pos P --out F.json
//                      [--query last|question|answer] [--docs K] [--token-matrix LAYER,HEAD|mean|max]
//                      [--random-distractors K [--distractor-seed S]] [--chat-template auto|none|NAME]
//                      [--prompt-template NAME|FILE] [--system S] [--sink-tokens N]
//                      [--max-answer-tokens N] [--query-block N] [--dtype D] [--device D] [--threads N]
// poslab-cli attention --aggregate --model MODEL --data FILE [--examples N] --out F.json [...]
// Attention mass per document for one (example, gold position), or the
// document × gold-position matrix over the first N examples and every position.
// Layout: docs/ATTENTION-FORMAT.md.
#include "app/cli/CliSupport.h"
#include "app/cli/CommandTable.h"
#include "app/cli/ProgressBar.h"
#include "core/attention/AttentionJson.h"
#include "core/attention/AttentionStudy.h"
#include "core/engine/Engine.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/util/Error.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

namespace poslab::cli {

namespace {

using ojson = nlohmann::ordered_json;

// LAYER,HEAD, or LAYER,mean / LAYER,max for the heads reduced.
HeadSelection parseHead(const std::string& text) {
  const size_t comma = text.find(',');
  try {
    size_t used = 0, used2 = 0;
    if (comma == std::string::npos) throw std::invalid_argument(text);
    const long long layer = std::stoll(text.substr(0, comma), &used);
    if (used != comma) throw std::invalid_argument(text);
    const std::string head = text.substr(comma + 1);
    if (head == "mean") return {layer, 0, HeadSelection::Reduce::Mean};
    if (head == "max") return {layer, 0, HeadSelection::Reduce::Max};
    const long long index = std::stoll(head, &used2);
    if (used2 != head.size()) throw std::invalid_argument(text);
    return {layer, index, HeadSelection::Reduce::One};
  } catch (const std::logic_error&) {
    fail("", "--token-matrix", "'" + text + "' is not LAYER,HEAD or LAYER,mean or LAYER,max (e.g. 3,0)");
  }
}

ojson tokenPieces(const Tokenizer& tok, const std::vector<int32_t>& ids, size_t count) {
  ojson pieces = ojson::array();
  for (size_t i = 0; i < count; ++i)
    pieces.push_back(tok.piece(ids[i]));
  return pieces;
}

} // namespace

void addAttentionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("attention",
                                 "Attention mass per document (one prompt, or document × gold position)");
  struct Args {
    std::string model, data, out, query = "last", tokenMatrix, chat = "auto", promptTemplate, system;
    std::string dtype = "f32", device = "cpu";
    size_t example = 0, goldPos = 0, docs = 0, randomDistractors = 0, sinkTokens = 4, examples = 10;
    uint64_t distractorSeed = 0;
    int64_t maxAnswerTokens = 32, queryBlock = 0;
    int threads = 0;
    bool aggregate = false;
  };
  auto a = std::make_shared<Args>();
  auto adapter = std::make_shared<AdapterArgs>();
  cmd->add_option("--model", a->model, "Hugging Face folder, .gguf file or PEFT adapter folder")->required();
  addAdapterOptions(cmd, *adapter);
  cmd->add_option("--data", a->data, "Dataset .jsonl / .jsonl.gz (lost-in-the-middle QA or KV, PosLab JSONL)")
      ->required();
  cmd->add_option("--out", a->out, "Output JSON file (docs/ATTENTION-FORMAT.md)")->required();
  auto* example = cmd->add_option("--example", a->example, "0-based example index (default 0)");
  auto* gold = cmd->add_option("--gold-pos", a->goldPos, "0-based gold position");
  cmd->add_option("--query", a->query,
                  "Query rows: last (last prompt token), question, answer (greedy answer)");
  cmd->add_option("--docs", a->docs, "Keep the gold and the first K-1 other documents");
  cmd->add_option("--random-distractors", a->randomDistractors,
                  "Build K-document examples from an oracle file with random distractors");
  cmd->add_option("--distractor-seed", a->distractorSeed, "Seed of --random-distractors (default 0)");
  auto* matrix =
      cmd->add_option("--token-matrix", a->tokenMatrix,
                      "Also write the token-level matrix of LAYER,HEAD (HEAD: an index, mean or max)");
  cmd->add_option("--chat-template", a->chat, "auto (the model's own, if any), none, or a family name");
  cmd->add_option("--prompt-template", a->promptTemplate, templateNames() + ", or a template file");
  cmd->add_option("--system", a->system, "System message for chat models");
  cmd->add_option("--sink-tokens", a->sinkTokens, "First tokens counted as the sink (default 4)");
  cmd->add_option("--max-answer-tokens", a->maxAnswerTokens,
                  "--query answer: most tokens to generate (default 32)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--query-block", a->queryBlock,
                  "Query rows per attention block (memory bound; default " +
                      std::to_string(Engine::defaultQueryBlock()) + ")")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_flag("--aggregate", a->aggregate, "Every gold position of the first --examples examples");
  auto* examples = cmd->add_option("--examples", a->examples, "--aggregate: number of examples (default 10)")
                       ->check(CLI::Range(size_t(1), size_t(1) << 30));
  cmd->add_option("--dtype", a->dtype, "f32, bf16 or f16 (CUDA)");
  cmd->add_option("--device", a->device, "cpu or cuda[:N]");
  cmd->add_option("--threads", a->threads, "Intra-op threads (0 = all cores)");
  cmd->callback([=] {
    if (a->aggregate && (gold->count() || example->count() || matrix->count()))
      fail("", "--aggregate",
           "covers every position of the first --examples examples; drop --gold-pos, "
           "--example and --token-matrix");
    if (!a->aggregate && gold->count() == 0) fail("", "--gold-pos", "required (or use --aggregate)");
    if (!a->aggregate && examples->count()) fail("", "--examples", "only with --aggregate");
    const AttentionQuery query = parseAttentionQuery(a->query, "--query");
    const std::optional<HeadSelection> head =
        matrix->count() ? std::optional<HeadSelection>(parseHead(a->tokenMatrix)) : std::nullopt;

    // The prompts a sweep with these options builds (ExperimentPrompts): the
    // model's poslab_task.json fills what is not given.
    SweepSettings prompts;
    prompts.modelPath = a->model;
    prompts.dataPath = a->data;
    prompts.docs = a->docs;
    prompts.randomDistractors = a->randomDistractors;
    prompts.distractorSeed = a->distractorSeed;
    prompts.promptTemplate = a->promptTemplate;
    prompts.chatTemplate = a->chat;
    prompts.system = a->system;
    prompts.limit = a->aggregate ? a->examples : a->example + 1;
    prompts = ExperimentPrompts::resolve(prompts);
    if (!prompts.promptTemplate.empty() && !PromptTemplate::styleNamed(prompts.promptTemplate) &&
        !std::filesystem::exists(prompts.promptTemplate))
      fail(prompts.promptTemplate, "--prompt-template",
           "neither a built-in name (" + templateNames() + ") nor a file");
    const std::vector<RetrievalExample> loaded = ExperimentPrompts::loadExamples(prompts).examples;
    if (!a->aggregate && a->example >= loaded.size())
      fail(a->data, "--example",
           std::to_string(a->example) + " is past the last example (" + std::to_string(loaded.size() - 1) +
               ")");

    auto engine = Engine::open(a->model, adapter->options(a->device, a->dtype, a->threads));
    if (a->queryBlock) engine->setQueryBlock(a->queryBlock);
    const Tokenizer& tok = engine->requireTokenizer();
    AttentionStudySettings settings;
    settings.prompt = ExperimentPrompts::promptSettings(prompts, loaded.front().kind);
    settings.query = query;
    settings.options.sinkTokens = a->sinkTokens;
    settings.options.maxAnswerTokens = a->maxAnswerTokens;
    const std::optional<ChatTemplate> chat = ExperimentPrompts::chatTemplate(prompts);
    AttentionStudy study(*engine, chat, settings);

    const ModelInfo& info = engine->info();
    ojson j;
    j["format"] = a->aggregate ? "poslab-attention-matrix" : "poslab-attention-profile";
    j["version"] = 1;
    j["model"] = {{"path", info.path},    {"architecture", info.architecture}, {"layers", info.layers},
                  {"heads", info.heads},  {"kv_heads", info.kvHeads},          {"dtype", info.computeDtype},
                  {"device", info.device}};
    ojson s;
    s["query"] = attentionQueryName(query);
    s["docs"] = prompts.docs;
    s["random_distractors"] = a->randomDistractors;
    s["distractor_seed"] = a->distractorSeed;
    s["chat_template"] = chat ? ChatTemplate::familyName(chat->family()) : "none";
    s["prompt_template"] = study.prompts().promptTemplate().name();
    s["system"] = a->system;
    s["sink_tokens"] = a->sinkTokens;
    s["max_answer_tokens"] = a->maxAnswerTokens;
    s["query_block"] = a->queryBlock ? a->queryBlock : Engine::defaultQueryBlock();
    j["settings"] = s;

    const auto t0 = std::chrono::steady_clock::now();
    if (a->aggregate) {
      ProgressBar bar(std::cerr);
      auto progress = [&](size_t done, size_t total) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double eta = elapsed / static_cast<double>(done) * static_cast<double>(total - done);
        bar.update(static_cast<int64_t>(done), static_cast<int64_t>(total), eta,
                   "prompts  elapsed " + ProgressBar::formatDuration(elapsed));
      };
      const AttentionMassMatrix m = study.aggregate(loaded, progress);
      bar.finish();
      j["data"] = {{"path", a->data}, {"examples", loaded.size()}};
      j["matrix"] = AttentionJson::matrix(m);
      j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else {
      const RetrievalExample& ex = loaded[a->example];
      const PromptAttention r = study.analyse(ex, a->goldPos, head);
      ojson data = {
          {"path", a->data}, {"example", a->example}, {"id", ex.id}, {"kind", taskKindName(ex.kind)}};
      data["question"] = ex.hasDocuments() ? ex.question : ex.key;
      data["metadata"] = ex.metadata;
      j["data"] = data;
      j["gold_position"] = a->goldPos;
      j["profile"] = AttentionJson::profile(r.analysis.profile);
      if (r.analysis.tokens) {
        ojson t = AttentionJson::tokens(*r.analysis.tokens);
        // The pieces of the key tokens (prompt, then answer), for labels.
        std::vector<int32_t> ids = r.prompt.encoding.ids;
        ids.insert(ids.end(), r.analysis.profile.answerIds.begin(), r.analysis.profile.answerIds.end());
        t["pieces"] = tokenPieces(tok, ids, r.analysis.tokens->keyTokens.size());
        j["token_matrix"] = t;
      }
      const AttentionRunStats& st = r.analysis.stats;
      j["stats"] = {{"forward_s", st.seconds},
                    {"observer_calls", st.observerCalls},
                    {"largest_block_rows", st.largestBlockRows},
                    {"largest_block_floats", st.largestBlockFloats}};
      j["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    AttentionJson::write(a->out, j);
  });
}

} // namespace poslab::cli
