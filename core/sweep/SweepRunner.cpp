#include "core/sweep/SweepRunner.h"

#include "core/data/DataFingerprint.h"
#include "core/engine/Engine.h"
#include "core/engine/ModelFingerprint.h"
#include "core/eval/TaskResponse.h"
#include "core/model/LlamaModel.h"
#include "core/prompt/PromptFactory.h"
#include "core/sweep/ExamplesLog.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/sweep/PromptEvaluator.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/EventLog.h"
#include "core/util/JsonFile.h"

#include <chrono>
#include <filesystem>
#include <set>

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

namespace {} // namespace

std::vector<int32_t> SweepRunner::stopIds(const Engine& engine) {
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

namespace {

// One unit of work: an example at a gold position, or one of its baselines.
struct WorkItem {
  size_t example;
  std::optional<size_t> position;
  std::string baseline;
  std::string key() const {
    return std::to_string(example) + "@" + (position ? std::to_string(*position) : baseline);
  }
};

// {"path", "adapter" (with one), "fingerprint"}: the fingerprint covers both.
nlohmann::ordered_json modelJson(const SweepSettings& s, const std::string& modelFp) {
  nlohmann::ordered_json j;
  j["path"] = s.modelPath;
  if (!s.adapterPath.empty()) j["adapter"] = s.adapterPath;
  j["fingerprint"] = modelFp;
  return j;
}

nlohmann::ordered_json runJson(const SweepSettings& s, const std::string& modelFp, const std::string& dataFp,
                               const std::string& status) {
  nlohmann::ordered_json j;
  j["kind"] = "sweep";
  j["version"] = POSLAB_VERSION;
  j["status"] = status;
  j["settings"] = s.toJson();
  j["model"] = modelJson(s, modelFp);
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

// The prompt and gold answer ids of one work item; a prompt that does not fit
// the model's context is reported, never truncated.
PromptJob promptJob(const PromptFactory& factory, const RetrievalExample& ex, const WorkItem& w,
                    TaskKind kind, int64_t contextLength, const std::string& dataPath) {
  const PromptInstance prompt = w.position               ? factory.atPosition(ex, *w.position)
                                : w.baseline == "oracle" ? factory.oracle(ex)
                                                         : factory.closedBook(ex);
  // A two-hop answer follows a chain of thought, not the prompt: no forced answer.
  const std::string gold = kind == TaskKind::Kv                             ? ex.value
                           : kind == TaskKind::TwoHop || ex.answers.empty() ? std::string()
                                                                            : ex.answers.front();
  PromptJob job{prompt.encoding.ids, gold.empty() ? std::vector<int32_t>() : factory.answerIds(prompt, gold)};
  const auto need = static_cast<int64_t>(job.prompt.size() + job.answer.size());
  if (contextLength > 0 && need > contextLength)
    fail(dataPath, "example " + std::to_string(ex.index) + " (" + ex.id + ")",
         "the prompt has " + std::to_string(job.prompt.size()) + " tokens and the answer " +
             std::to_string(job.answer.size()) + ", more than the model's context of " +
             std::to_string(contextLength) + " tokens; use --docs K to shorten the prompts");
  return job;
}

SweepRecord makeRecord(const WorkItem& w, const RetrievalExample& ex, const PromptEvaluation& e) {
  SweepRecord r;
  r.example = ex.index;
  r.id = ex.id;
  r.position = w.position;
  r.baseline = w.baseline;
  r.prediction = e.prediction;
  r.score = TaskResponse::score(ex, r.prediction);
  r.exactMatch = TaskResponse::exactMatch(ex, r.prediction);
  r.answerLogprob = e.answerLogprob;
  r.answerTokens = e.answerTokens;
  r.promptTokens = e.promptTokens;
  r.prefillTokens = e.prefillTokens;
  r.decodeTokens = e.decodeTokens;
  r.stopReason = e.stopReason;
  r.timeSeconds = e.seconds;
  return r;
}

} // namespace

SweepRunner::SweepRunner(const Engine& engine) : engine_(engine) {}

// What one run() carries from step to step.
struct SweepRunner::Run {
  SweepSettings settings;
  fs::path dir;
  Clock::time_point t0;
  LoadedDataset data;
  TaskKind kind = TaskKind::Qa;
  std::optional<PromptFactory> factory;
  std::vector<WorkItem> work;
  std::string modelFp, dataFp;
  std::optional<ExamplesLog> log;
  std::optional<EventLog> events;
  SweepResult result;
  SweepProgress progress;
  int64_t tokensThisRun = 0;
};

void SweepRunner::loadExamples(Run& run) const {
  SweepSettings& s = run.settings;
  run.data = ExperimentPrompts::loadExamples(s);
  run.kind = run.data.examples.front().kind;
  if (s.task == "auto") s.task = taskKindName(run.kind);
  if (run.kind == TaskKind::Kv && (s.closedBook || s.oracle))
    fail(s.dataPath, "baselines", "closed-book and oracle baselines are for QA data");
}

// Per example, positions from the last to the first (each prompt then shares
// the longest prefix with the one before it), then the baselines.
void SweepRunner::planWork(Run& run) const {
  const SweepSettings& s = run.settings;
  for (const auto& ex : run.data.examples) {
    const size_t count = run.factory->positionCount(ex);
    std::vector<size_t> positions = s.positions;
    if (positions.empty())
      for (size_t p = 0; p < count; ++p)
        positions.push_back(p);
    std::sort(positions.rbegin(), positions.rend());
    for (size_t p : positions) {
      if (p >= count)
        fail(s.dataPath, "example " + std::to_string(ex.index),
             "has " + std::to_string(count) + " positions; position " + std::to_string(p) +
                 " does not exist");
      run.work.push_back({ex.index, p, ""});
    }
    if (s.oracle) run.work.push_back({ex.index, std::nullopt, "oracle"});
    if (s.closedBook) run.work.push_back({ex.index, std::nullopt, "closed_book"});
  }
}

void SweepRunner::openRunFolder(Run& run) const {
  fs::create_directories(run.dir);
  const SweepSettings& s = run.settings;
  run.modelFp = ModelFingerprint::of(s.modelPath, s.adapterPath);
  run.dataFp = DataFingerprint::ofFile(s.dataPath);
  if (fs::exists(run.dir / "run.json"))
    checkResumable(run.dir / "run.json", s, run.modelFp, run.dataFp);
  else if (fs::exists(run.dir / "examples.jsonl"))
    fail((run.dir / "examples.jsonl").string(), "", "exists without run.json; use another --out");
  JsonFile::write((run.dir / "run.json").string(), runJson(s, run.modelFp, run.dataFp, "running"));
  run.log.emplace((run.dir / "examples.jsonl").string());
  run.events.emplace((run.dir / "events.jsonl").string());
}

void SweepRunner::importShares(Run& run, const SweepShare& share) const {
  std::set<std::string> wanted;
  for (const WorkItem& w : run.work)
    wanted.insert(w.key());
  for (const std::string& folder : share.importFrom)
    for (const SweepRecord& r : ExamplesLog::read((fs::path(folder) / "examples.jsonl").string()))
      if (wanted.count(r.key()) && !run.log->has(r.key())) run.log->append(r);
}

void SweepRunner::evaluatePending(Run& run, const SweepCallbacks& callbacks, const std::atomic<bool>* cancel,
                                  const SweepShare& share) const {
  const SweepSettings& s = run.settings;
  const PromptFactory& factory = *run.factory;
  SweepResult& result = run.result;
  SweepProgress& progress = run.progress;
  const LlamaModel& model = engine_.model();
  PrefixCache cache(model, s.prefixCache);
  EvaluatorOptions eo;
  eo.maxNewTokens = s.maxNewTokens;
  eo.stopIds = stopIds(engine_);
  eo.contextLength = engine_.info().contextLength;
  eo.task = run.kind;
  PromptEvaluator evaluator(model, engine_.requireTokenizer(), cache, eo);

  std::vector<WorkItem> pending;
  for (const WorkItem& w : run.work)
    if (!run.log->has(w.key()) && w.example % share.count == share.index) pending.push_back(w);
  for (size_t first = 0; first < pending.size(); first += s.batch) {
    if (cancel && cancel->load()) {
      result.status = "cancelled";
      return;
    }
    const size_t end = std::min(pending.size(), first + s.batch);
    std::vector<PromptJob> jobs;
    for (size_t i = first; i < end; ++i)
      jobs.push_back(promptJob(factory, run.data.examples[pending[i].example], pending[i], run.kind,
                               eo.contextLength, s.dataPath));
    const auto evals = evaluator.evaluate(jobs, cancel);
    if (!evals) {
      result.status = "cancelled";
      return;
    }
    for (size_t i = first; i < end; ++i) {
      const SweepRecord r =
          makeRecord(pending[i], run.data.examples[pending[i].example], (*evals)[i - first]);
      run.log->append(r);
      ++result.computed;
      run.tokensThisRun += r.prefillTokens + r.decodeTokens + std::max<int64_t>(r.answerTokens - 1, 0);
      if (callbacks.onRecord) callbacks.onRecord(r);
      ++progress.done;
      progress.elapsedSeconds = since(run.t0);
      progress.tokensPerSecond =
          static_cast<double>(run.tokensThisRun) / std::max(progress.elapsedSeconds, 1e-9);
      progress.etaSeconds = progress.elapsedSeconds / static_cast<double>(result.computed) *
                            static_cast<double>(progress.total - progress.done);
      if (callbacks.onProgress) callbacks.onProgress(progress);
      if (result.computed % 20 == 0 || progress.done == progress.total)
        run.events->append("progress", {{"done", progress.done},
                                        {"total", progress.total},
                                        {"eta_s", progress.etaSeconds},
                                        {"tokens_per_s", progress.tokensPerSecond}});
    }
  }
  result.status = "finished";
}

void SweepRunner::writeSummary(Run& run) const {
  const SweepSettings& s = run.settings;
  SweepResult& result = run.result;
  result.summary = SweepSummary::of(run.log->records());
  result.wallSeconds = since(run.t0);

  nlohmann::ordered_json summary;
  summary["settings"] = s.toJson();
  summary["model"] = modelJson(s, run.modelFp);
  nlohmann::ordered_json dataJson = {{"path", s.dataPath},
                                     {"fingerprint", run.dataFp},
                                     {"examples", run.data.examples.size()},
                                     {"skipped_bad_records", run.data.skipped}};
  if (s.randomDistractors > 0) dataJson["distractors"] = "random";
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
  JsonFile::write((run.dir / "summary.json").string(), summary);
  AtomicFile::writeText((run.dir / "summary.csv").string(), result.summary.csv());
  JsonFile::write((run.dir / "run.json").string(), runJson(s, run.modelFp, run.dataFp, result.status));
  run.events->append(
      result.status == "cancelled" ? "cancel" : "finish",
      {{"records", result.summary.records}, {"this_run", result.computed}, {"wall_s", result.wallSeconds}});
}

SweepResult SweepRunner::run(SweepSettings settings, const std::string& outDir,
                             const SweepCallbacks& callbacks, const std::atomic<bool>* cancel,
                             const SweepShare& share) const {
  if (share.count == 0 || share.index >= share.count)
    throw std::logic_error("SweepRunner: a share outside its count");
  Run run;
  run.t0 = Clock::now();
  run.settings = ExperimentPrompts::resolve(std::move(settings));
  run.settings.dtype = engine_.info().computeDtype;
  run.settings.device = engine_.info().device;
  run.dir = fs::path(outDir);
  if (run.settings.batch == 0) fail("", "batch", "must be at least 1");
  engine_.requireTokenizer(); // a model without one fails here, before the data are read

  loadExamples(run);
  run.factory.emplace(ExperimentPrompts::factory(engine_.requireTokenizer(), run.settings, run.kind));
  planWork(run);
  openRunFolder(run);
  importShares(run, share);

  SweepResult& result = run.result;
  SweepProgress& progress = run.progress;
  result.skippedBad = run.data.skipped;
  result.tornTailRemoved = run.log->tornTailRemoved();
  progress.total = run.work.size();
  for (const auto& w : run.work)
    if (run.log->has(w.key())) ++progress.resumed;
  progress.done = result.resumed = progress.resumed;
  run.events->append(progress.resumed ? "resume" : "start", {{"records", progress.total},
                                                             {"resumed", progress.resumed},
                                                             {"torn_tail_removed", result.tornTailRemoved}});
  if (callbacks.onProgress) callbacks.onProgress(progress);

  evaluatePending(run, callbacks, cancel, share);
  writeSummary(run);
  return result;
}

} // namespace poslab
