#include "core/sweep/SweepRunner.h"

#include "core/data/DataFingerprint.h"
#include "core/data/DatasetLoader.h"
#include "core/data/RandomDistractors.h"
#include "core/engine/ChatTemplateLoader.h"
#include "core/engine/Engine.h"
#include "core/engine/ModelFingerprint.h"
#include "core/eval/AnswerScorer.h"
#include "core/model/LlamaModel.h"
#include "core/prompt/PromptFactory.h"
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/PromptEvaluator.h"
#include "core/sweep/TaskDefaults.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/EventLog.h"
#include "core/util/JsonFile.h"

#include <chrono>
#include <filesystem>

#ifndef POSLAB_VERSION
#define POSLAB_VERSION "dev"
#endif

namespace poslab {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

// A built-in template by its upstream file stem, else a user template file.
PromptSettings SweepRunner::promptSettings(const SweepSettings& s, TaskKind kind) {
  PromptSettings p;
  const std::string& t = s.promptTemplate;
  if (t.empty())
    p.style = kind == TaskKind::Qa ? PromptStyle::Qa : PromptStyle::Kv;
  else if (t == "qa")
    p.style = PromptStyle::Qa;
  else if (t == "qa_query_aware")
    p.style = PromptStyle::QaQueryAware;
  else if (t == "qa_ordered_randomly")
    p.style = PromptStyle::QaOrderedRandomly;
  else if (t == "closedbook")
    p.style = PromptStyle::ClosedBook;
  else if (t == "kv")
    p.style = PromptStyle::Kv;
  else if (t == "kv_query_aware")
    p.style = PromptStyle::KvQueryAware;
  else
    p.templateFile = t;
  p.system = s.system;
  p.placement.docs = s.docs;
  p.placement.shuffleSeed = s.shuffleSeed;
  return p;
}

std::optional<ChatTemplate> SweepRunner::chatTemplate(const SweepSettings& s) {
  if (s.chatTemplate == "none") return std::nullopt;
  if (s.chatTemplate == "auto") {
    if (ChatTemplateLoader::templateText(s.modelPath).empty()) return std::nullopt; // a base model
    return ChatTemplateLoader::forModel(s.modelPath);
  }
  return ChatTemplate::fromName(s.chatTemplate);
}

namespace {

std::vector<int32_t> stopIds(const Engine& engine) {
  std::vector<int32_t> ids;
  for (int64_t id : engine.info().eosTokenIds)
    ids.push_back(static_cast<int32_t>(id));
  if (const Tokenizer* t = engine.tokenizer()) {
    if (t->specialTokens().eos >= 0) ids.push_back(t->specialTokens().eos);
    for (int32_t id : t->specialTokens().extraEos)
      ids.push_back(id);
  }
  return ids;
}

// One unit of work: an example at a gold position, or one of its baselines.
struct WorkItem {
  size_t example;
  std::optional<size_t> position;
  std::string baseline;
  std::string key() const {
    return std::to_string(example) + "@" + (position ? std::to_string(*position) : baseline);
  }
};

nlohmann::ordered_json runJson(const SweepSettings& s, const std::string& modelFp, const std::string& dataFp,
                               const std::string& status) {
  nlohmann::ordered_json j;
  j["kind"] = "sweep";
  j["version"] = POSLAB_VERSION;
  j["status"] = status;
  j["settings"] = s.toJson();
  j["model"] = {{"path", s.modelPath}, {"fingerprint", modelFp}};
  j["data"] = {{"path", s.dataPath}, {"fingerprint", dataFp}};
  return j;
}

// A folder that already holds a sweep must hold this one (same model, data and
// record-affecting settings), or resuming would mix two experiments.
void checkResumable(const fs::path& runFile, const SweepSettings& s, const std::string& modelFp,
                    const std::string& dataFp) {
  const nlohmann::json old = JsonFile::readObject(runFile.string());
  const std::string f = runFile.string();
  const auto kind = old.find("kind");
  if (kind == old.end() || *kind != "sweep") fail(f, "kind", "this folder holds a run that is not a sweep");
  auto fp = [&](const char* part) -> std::string {
    const auto it = old.find(part);
    if (it == old.end() || !it->is_object()) return "";
    const auto value = it->find("fingerprint");
    return value != it->end() && value->is_string() ? value->get<std::string>() : "";
  };
  if (fp("model") != modelFp) fail(f, "model.fingerprint", "differs from this model's; use another --out");
  if (fp("data") != dataFp) fail(f, "data.fingerprint", "differs from this data file's; use another --out");
  const nlohmann::json want = s.recordAffecting();
  const nlohmann::json have = old.value("settings", nlohmann::json::object());
  for (const auto& [key, value] : want.items())
    if (!have.contains(key) || have[key] != value)
      fail(f, "settings." + key,
           "was " + (have.contains(key) ? have[key].dump() : "absent") + ", now " + value.dump() +
               "; use another --out");
}

} // namespace

SweepRunner::SweepRunner(const Engine& engine) : engine_(engine) {}

SweepSettings SweepRunner::resolve(SweepSettings s) {
  const TaskDefaults d = TaskDefaults::forModel(s.modelPath);
  if (s.task == "auto" && d.task) s.task = *d.task;
  if (s.promptTemplate.empty() && d.promptTemplate) s.promptTemplate = *d.promptTemplate;
  if (s.docs == 0 && d.docs) s.docs = *d.docs;
  if (s.chatTemplate == "auto" && d.chatTemplate) s.chatTemplate = *d.chatTemplate;
  if (s.maxNewTokens <= 0) s.maxNewTokens = d.maxNewTokens.value_or(100);
  return s;
}

SweepResult SweepRunner::run(SweepSettings settings, const std::string& outDir,
                             const SweepCallbacks& callbacks, const std::atomic<bool>* cancel) const {
  const auto t0 = Clock::now();
  settings = resolve(std::move(settings));
  settings.dtype = engine_.info().computeDtype;
  settings.device = engine_.info().device;
  const Tokenizer& tokenizer = engine_.requireTokenizer();

  // Data.
  DatasetLoadOptions load;
  load.format = parseDataFormat(settings.dataFormat, "--format");
  load.skipBad = settings.skipBad;
  // Random distractors come from the whole file's pool, so --limit applies after them.
  load.limit = settings.randomDistractors > 0 ? 0 : settings.limit;
  LoadedDataset data = DatasetLoader::load(settings.dataPath, load);
  if (settings.randomDistractors > 0) {
    data.examples =
        RandomDistractors({settings.randomDistractors, settings.distractorSeed, true}).apply(data.examples);
    if (settings.limit > 0 && data.examples.size() > settings.limit) data.examples.resize(settings.limit);
  }
  if (data.examples.empty()) fail(settings.dataPath, "", "no examples to sweep");
  const TaskKind kind = data.examples.front().kind;
  if (settings.task == "auto") settings.task = taskKindName(kind);
  for (const auto& ex : data.examples)
    if (taskKindName(ex.kind) != settings.task)
      fail(settings.dataPath, "example " + std::to_string(ex.index),
           std::string("is a ") + taskKindName(ex.kind) + " example but the sweep's task is " +
               settings.task);
  if (kind == TaskKind::Kv && (settings.closedBook || settings.oracle))
    fail(settings.dataPath, "baselines", "closed-book and oracle baselines are for QA data");

  const PromptFactory factory(tokenizer, chatTemplate(settings), promptSettings(settings, kind));

  // The work list: per example, positions from the last to the first (each
  // prompt then shares the longest prefix with the one before it), then the
  // baselines.
  std::vector<WorkItem> work;
  for (const auto& ex : data.examples) {
    const size_t count = factory.positionCount(ex);
    std::vector<size_t> positions = settings.positions;
    if (positions.empty())
      for (size_t p = 0; p < count; ++p)
        positions.push_back(p);
    std::sort(positions.rbegin(), positions.rend());
    for (size_t p : positions) {
      if (p >= count)
        fail(settings.dataPath, "example " + std::to_string(ex.index),
             "has " + std::to_string(count) + " positions; position " + std::to_string(p) +
                 " does not exist");
      work.push_back({ex.index, p, ""});
    }
    if (settings.oracle) work.push_back({ex.index, std::nullopt, "oracle"});
    if (settings.closedBook) work.push_back({ex.index, std::nullopt, "closed_book"});
  }

  // The run folder.
  fs::create_directories(outDir);
  const fs::path dir(outDir);
  const std::string modelFp = ModelFingerprint::of(settings.modelPath);
  const std::string dataFp = DataFingerprint::ofFile(settings.dataPath);
  if (fs::exists(dir / "run.json"))
    checkResumable(dir / "run.json", settings, modelFp, dataFp);
  else if (fs::exists(dir / "examples.jsonl"))
    fail((dir / "examples.jsonl").string(), "", "exists without run.json; use another --out");
  JsonFile::write((dir / "run.json").string(), runJson(settings, modelFp, dataFp, "running"));
  ExamplesLog log((dir / "examples.jsonl").string());
  EventLog events((dir / "events.jsonl").string());

  SweepResult result;
  result.skippedBad = data.skipped;
  result.tornTailRemoved = log.tornTailRemoved();
  SweepProgress progress;
  progress.total = work.size();
  for (const auto& w : work)
    if (log.has(w.key())) ++progress.resumed;
  progress.done = progress.resumed;
  result.resumed = progress.resumed;
  events.append(progress.resumed ? "resume" : "start", {{"records", progress.total},
                                                        {"resumed", progress.resumed},
                                                        {"torn_tail_removed", result.tornTailRemoved}});
  if (callbacks.onProgress) callbacks.onProgress(progress);

  const LlamaModel& model = engine_.model();
  PrefixCache cache(model, settings.prefixCache);
  EvaluatorOptions eo;
  eo.maxNewTokens = settings.maxNewTokens;
  eo.stopIds = stopIds(engine_);
  eo.contextLength = engine_.info().contextLength;
  const PromptEvaluator evaluator(model, tokenizer, cache, eo);
  int64_t tokensThisRun = 0;
  bool cancelled = false;

  for (const WorkItem& w : work) {
    if (log.has(w.key())) continue;
    if (cancel && cancel->load()) {
      cancelled = true;
      break;
    }
    const RetrievalExample& ex = data.examples[w.example];
    const auto start = Clock::now();
    const PromptInstance prompt = w.position               ? factory.atPosition(ex, *w.position)
                                  : w.baseline == "oracle" ? factory.oracle(ex)
                                                           : factory.closedBook(ex);
    const std::string gold =
        kind == TaskKind::Qa ? (ex.answers.empty() ? std::string() : ex.answers.front()) : ex.value;
    const std::vector<int32_t> answer =
        gold.empty() ? std::vector<int32_t>() : factory.answerIds(prompt, gold);
    const auto need = static_cast<int64_t>(prompt.encoding.ids.size() + answer.size());
    if (eo.contextLength > 0 && need > eo.contextLength)
      fail(settings.dataPath, "example " + std::to_string(ex.index) + " (" + ex.id + ")",
           "the prompt has " + std::to_string(prompt.encoding.ids.size()) + " tokens and the answer " +
               std::to_string(answer.size()) + ", more than the model's context of " +
               std::to_string(eo.contextLength) + " tokens; use --docs K to shorten the prompts");
    const auto eval = evaluator.evaluate(prompt.encoding.ids, answer, cancel);
    if (!eval) {
      cancelled = true;
      break;
    }
    SweepRecord r;
    r.example = ex.index;
    r.id = ex.id;
    r.position = w.position;
    r.baseline = w.baseline;
    r.prediction = eval->prediction;
    r.score = kind == TaskKind::Qa ? AnswerScorer::bestSubspanEm(r.prediction, ex.answers)
                                   : AnswerScorer::kvSubstring(r.prediction, ex.value);
    r.exactMatch = kind == TaskKind::Qa
                       ? AnswerScorer::exactMatch(AnswerScorer::firstLine(r.prediction), ex.answers)
                       : (r.prediction == ex.value ? 1.0 : 0.0);
    r.answerLogprob = eval->answerLogprob;
    r.answerTokens = eval->answerTokens;
    r.promptTokens = eval->promptTokens;
    r.prefillTokens = eval->prefillTokens;
    r.decodeTokens = eval->decodeTokens;
    r.stopReason = eval->stopReason;
    r.timeSeconds = since(start);
    log.append(r);
    ++result.computed;
    tokensThisRun += r.prefillTokens + r.decodeTokens + std::max<int64_t>(r.answerTokens - 1, 0);
    if (callbacks.onRecord) callbacks.onRecord(r);
    ++progress.done;
    progress.elapsedSeconds = since(t0);
    progress.tokensPerSecond = tokensThisRun / std::max(progress.elapsedSeconds, 1e-9);
    progress.etaSeconds = progress.elapsedSeconds / static_cast<double>(result.computed) *
                          static_cast<double>(progress.total - progress.done);
    if (callbacks.onProgress) callbacks.onProgress(progress);
    if (result.computed % 20 == 0 || progress.done == progress.total)
      events.append("progress", {{"done", progress.done},
                                 {"total", progress.total},
                                 {"eta_s", progress.etaSeconds},
                                 {"tokens_per_s", progress.tokensPerSecond}});
  }

  result.status = cancelled ? "cancelled" : "finished";
  result.summary = SweepSummary::of(log.records());
  result.wallSeconds = since(t0);

  nlohmann::ordered_json summary;
  summary["settings"] = settings.toJson();
  summary["model"] = {{"path", settings.modelPath}, {"fingerprint", modelFp}};
  nlohmann::ordered_json dataJson = {{"path", settings.dataPath},
                                     {"fingerprint", dataFp},
                                     {"examples", data.examples.size()},
                                     {"skipped_bad_records", data.skipped}};
  if (settings.randomDistractors > 0) dataJson["distractors"] = "random";
  summary["data"] = dataJson;
  summary["status"] = result.status;
  summary["positions"] = result.summary.positionsJson();
  summary["baselines"] = result.summary.baselinesJson();
  summary["timing"] = {{"wall_s", result.wallSeconds},
                       {"records", result.summary.records},
                       {"records_this_run", result.computed},
                       {"records_resumed", result.resumed},
                       {"prompt_tokens", result.summary.promptTokens},
                       {"prefill_tokens", result.summary.prefillTokens},
                       {"decode_tokens", result.summary.decodeTokens},
                       {"record_seconds", result.summary.recordSeconds}};
  JsonFile::write((dir / "summary.json").string(), summary);
  AtomicFile::writeText((dir / "summary.csv").string(), result.summary.csv());
  JsonFile::write((dir / "run.json").string(), runJson(settings, modelFp, dataFp, result.status));
  events.append(
      cancelled ? "cancel" : "finish",
      {{"records", result.summary.records}, {"this_run", result.computed}, {"wall_s", result.wallSeconds}});
  return result;
}

} // namespace poslab
