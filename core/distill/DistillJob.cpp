#include "core/distill/DistillJob.h"

#include "core/data/DataFingerprint.h"
#include "core/distill/KlObjective.h"
#include "core/engine/Engine.h"
#include "core/engine/ModelFingerprint.h"
#include "core/model/LlamaModel.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/sweep/SweepRunner.h"
#include "core/sweep/SweepSummary.h"
#include "core/train/CrossEntropyObjective.h"
#include "core/train/TargetLogits.h"
#include "core/util/Error.h"
#include "core/util/EventLog.h"
#include "core/util/JsonFile.h"
#include "core/util/RunLock.h"
#include "core/util/UtcClock.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;

namespace poslab {

namespace {

struct Run {
  DistillJobSpec spec;
  fs::path dir;
  std::string manifestPath;
  nlohmann::json manifest;
  TrainingJobRuntime rt;
  std::optional<EventLog> events;

  bool leader() const { return rt.leader(); }
  // Rank 0 alone writes run.json (and events, checkpoints); the others keep it in memory.
  void status(const std::string& s) {
    manifest["status"] = s;
    if (!leader()) return;
    manifest["updated"] = UtcClock::now();
    JsonFile::write(manifestPath, manifest);
  }
  void note(const std::string& line) const {
    if (rt.log) rt.log(line);
  }
  bool cancelled() const { return rt.cancel && rt.cancel->load(); }
};

nlohmann::json sourcesJson(const DistillJobSpec& s) {
  nlohmann::json j = TrainingJob::specToJson(s.prompts);
  j["model"] = s.model;
  if (!s.adapter.empty()) j["adapter"] = s.adapter;
  j["data"] = s.data;
  j["set"] = s.set;
  j.erase("init");
  j.erase("tokenizer");
  j.erase("position_weights");
  return j;
}

DistillJobSpec specFromManifest(const nlohmann::json& m, const std::string& source) {
  DistillJobSpec s;
  nlohmann::json sources = m.value("sources", nlohmann::json::object());
  try {
    s.model = sources.at("model").get<std::string>();
    s.data = sources.at("data").get<std::string>();
    s.set = sources.at("set").get<std::string>();
    s.adapter = sources.value("adapter", "");
  } catch (const nlohmann::json::exception& e) {
    fail(source, "sources", std::string("missing or wrong type (") + e.what() + ")");
  }
  sources.erase("adapter");
  sources["init"] = "";
  sources["tokenizer"] = "";
  sources["position_weights"] = nlohmann::json::array();
  s.prompts = TrainingJob::specFromJson(
      {{"sources", sources}, {"settings", m.value("settings", nlohmann::json())}}, source);
  s.settings = s.prompts.settings;
  s.distill = DistillSettings::fromJson(m.value("distill", nlohmann::json::object()), source + ": distill");
  s.stepsGiven = true; // the total was resolved when the run started
  return s;
}

// The sweep settings the prompts of `data` come from: the training data's, or
// the held-out data's for evaluation (its own task: a --set run has no data).
SweepSettings promptSource(const DistillJobSpec& spec, const std::string& data) {
  TrainingJobSpec t = spec.prompts;
  t.model = spec.model;
  t.data = data;
  return ExperimentPrompts::resolve(TrainingJob::promptSource(t));
}

TrainingSequence studentSequence(const DistillInstance& d) {
  TrainingSequence s;
  s.ids = d.studentPromptIds;
  s.ids.insert(s.ids.end(), d.responseIds.begin(), d.responseIds.end());
  s.lossMask.assign(d.studentPromptIds.size(), 0);
  s.lossMask.resize(s.ids.size(), 1);
  return s;
}

// The logs of a data-parallel preparation's shares: RUN/prepare/rank-K.jsonl,
// every rank's of any earlier session too (sorted by name).
fs::path shareLog(const fs::path& runDir, size_t rank) {
  return runDir / "prepare" / ("rank-" + std::to_string(rank) + ".jsonl");
}
std::vector<std::string> shareLogs(const fs::path& runDir) {
  std::vector<std::string> logs;
  if (!fs::is_directory(runDir / "prepare")) return logs;
  for (const auto& e : fs::directory_iterator(runDir / "prepare")) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.starts_with("rank-") && name.ends_with(".jsonl"))
      logs.push_back(e.path().string());
  }
  std::sort(logs.begin(), logs.end());
  return logs;
}

// Prepares the set into RUN/distill-set.jsonl (resumably) and returns it; nullopt when stopped.
// Data parallel, rank K decides its share of the questions into prepare/rank-K.jsonl
// (PreparationShare), then rank 0 takes the shares into prepare.jsonl -- the lines one
// process would have written -- builds the set from it as one process would, and removes
// the shares. A stop asked for on any rank keeps the shares: they resume with the run,
// with any number of processes. The other ranks return nullopt and read the set later.
std::optional<DistillSet> prepareSet(Run& run, const Engine& engine, const SweepSettings& prompts,
                                     PreparationReport& report) {
  run.status("preparing");
  const LoadedDataset data = ExperimentPrompts::loadExamples(prompts);
  int32_t eos = engine.requireTokenizer().specialTokens().eos;
  if (eos < 0 && !engine.info().eosTokenIds.empty()) eos = static_cast<int32_t>(engine.info().eosTokenIds[0]);
  const DistillSetBuilder builder(engine.model(), engine.requireTokenizer(), prompts, run.spec.distill,
                                  run.spec.settings.seed, SweepRunner::stopIds(engine), eos);
  run.events->append("prepare",
                     {{"questions", run.spec.distill.questions}, {"method", run.spec.distill.method}});
  auto progress = [&](const PreparationReport& r, int64_t total) {
    TrainingProgress p;
    p.step = r.questions;
    p.totalSteps = total;
    p.elapsedSeconds = r.seconds;
    const int64_t thisRun = r.questions - r.resumed;
    p.etaSeconds =
        thisRun > 0 ? r.seconds / static_cast<double>(thisRun) * static_cast<double>(total - r.questions) : 0;
    if (run.rt.progress) run.rt.progress(p);
  };
  const std::string whole = (run.dir / "prepare.jsonl").string();
  std::optional<DistillSet> set;
  if (ProcessGroup* group = run.rt.group.get()) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto rank = static_cast<size_t>(group->rank());
    const std::string mine = shareLog(run.dir, rank).string();
    fs::create_directories(fs::path(mine).parent_path());
    PreparationShare share{rank, static_cast<size_t>(group->size()), {whole}};
    for (const std::string& other : shareLogs(run.dir))
      if (other != mine) share.importFrom.push_back(other);
    PreparationReport own; // rank 0's progress bar shows its share
    const bool finished = builder.prepareShare(data.examples, mine, share, own, progress, run.rt.cancel);
    run.note("share " + std::to_string(share.index) + " of " + std::to_string(share.count) +
             " of the questions: " + std::to_string(own.questions - own.resumed) + " decided now, " +
             std::to_string(own.resumed) + " read back");
    // The stop vote, and how many questions the shares decided in this session.
    // The ranks finish their shares at different times: a leader-phase bound.
    const std::vector<double> votes = group->allReduceSum(
        {!finished || run.cancelled() ? 1.0 : 0.0, static_cast<double>(own.questions - own.resumed)},
        "preparing the distill set", ProcessGroup::kLeaderPhase);
    if (votes[0] > 0) { // the shares stay: they resume with the run
      report = own;
      return std::nullopt;
    }
    if (!run.leader()) return std::nullopt;
    set = builder.prepare(data.examples, whole, report, {}, run.rt.cancel, shareLogs(run.dir));
    // What the merge read back includes what the shares decided just now.
    report.resumed -= std::llround(votes[1]);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  } else {
    // One process takes in the shares a data-parallel session left.
    set = builder.prepare(data.examples, whole, report, progress, run.rt.cancel, shareLogs(run.dir));
  }
  if (!set) return std::nullopt;
  // prepare.jsonl now holds every question: the shares go before the set is written.
  fs::remove_all(run.dir / "prepare");
  set->write((run.dir / "distill-set.jsonl").string());
  run.manifest["preparation"] = report.toJson();
  run.events->append("prepared", report.toJson());
  run.note("prepared " + std::to_string(report.instances) + " instances from " + std::to_string(report.kept) +
           " questions (" + std::to_string(report.dropped) + " dropped: the teacher answered wrong)");
  return set;
}

// The distill set of the run: already in the folder, given, or prepared now (resumably).
// Every rank returns it, or nullopt when a stop was asked for.
std::optional<DistillSet> obtainSet(Run& run, const Engine& engine, const SweepSettings& prompts,
                                    PreparationReport& report) {
  const std::string file = (run.dir / "distill-set.jsonl").string();
  ProcessGroup* group = run.rt.group.get();
  // Every rank looks before rank 0 may write it, which it does only after a
  // collective that all enter after looking (a given set is copied in at once:
  // without this vote a slow rank could find it and skip the collective below).
  bool present = fs::exists(file);
  if (group) present = group->anyRank(present, "looking for the distill set", ProcessGroup::kLeaderPhase);
  if (present) return DistillSet::read(file);
  std::optional<DistillSet> set;
  if (run.spec.set.empty()) {
    set = prepareSet(run, engine, prompts, report);
  } else if (run.leader()) { // a given set: rank 0 copies it in
    DistillSet given = DistillSet::read(run.spec.set);
    given.check(engine.model().config().vocabSize, engine.model().config().maxPositions);
    given.write(file);
    run.events->append("set", {{"source", run.spec.set}, {"instances", given.instances.size()}});
    set = std::move(given);
  }
  if (group) {
    // The others wait for rank 0 to write the set (no set there: the ranks stopped).
    if (group->anyRank(run.leader() && !set, "writing the distill set", ProcessGroup::kLeaderPhase))
      return std::nullopt;
  } else if (!set) {
    return std::nullopt;
  }
  return DistillSet::read(file); // the instances as the file holds them, whoever wrote it
}

// A sweep of the current weights at the evaluation positions: eval/step-N/.
// Data parallel, the ranks share it: rank K sweeps every N-th example into
// eval/step-N/rank-K/, then rank 0 takes the shares into eval/step-N/ (the same
// records one process would have written) and removes them. Returns true if
// any rank was asked to stop meanwhile.
bool evaluate(Run& run, const Engine& engine, int64_t step) {
  const DistillSettings& d = run.spec.distill;
  ProcessGroup* group = run.rt.group.get();
  auto stopVote = [&](const std::string& what) {
    return group ? group->anyRank(run.cancelled(), what, ProcessGroup::kLeaderPhase) : run.cancelled();
  };
  if (d.evalData.empty()) return stopVote("the stop check at step " + std::to_string(step));
  const fs::path dir = run.dir / "eval" / ("step-" + std::to_string(step));
  // Resumed: already evaluated (every rank reads the same file before rank 0 may write it).
  if (SweepSummary::finishedIn(dir.string()))
    return stopVote("the stop check at step " + std::to_string(step));
  SweepSettings s = promptSource(run.spec, d.evalData);
  s.positions = d.evalPositions;
  s.limit = static_cast<size_t>(d.evalExamples);
  s.dataFormat = "auto";
  const std::string before = JsonFile::valueOr(run.manifest, "status", std::string(), run.manifestPath);
  run.status("evaluating");
  SweepShare share;
  if (group) {
    const auto ranks = static_cast<size_t>(group->size());
    auto shareDir = [&](size_t k) { return (dir / ("rank-" + std::to_string(k))).string(); };
    const SweepShare mine{static_cast<size_t>(group->rank()), ranks, {}};
    SweepRunner(engine).run(s, shareDir(mine.index), {}, run.rt.cancel, mine);
    const bool stop = stopVote("the evaluation at step " + std::to_string(step));
    if (!run.leader()) return stop;
    if (stop) { // the shares stay: they resume with the run
      run.status(before);
      return true;
    }
    for (size_t k = 0; k < ranks; ++k)
      share.importFrom.push_back(shareDir(k));
  }
  const SweepResult r = SweepRunner(engine).run(s, dir.string(), {}, run.rt.cancel, share);
  run.status(before);
  if (r.status != "finished") return true;
  for (const std::string& folder : share.importFrom)
    fs::remove_all(folder);
  nlohmann::json positions = nlohmann::json::array();
  double mean = 0, worst = 1;
  for (const PositionSummary& p : r.summary.positions) {
    positions.push_back({{"position", p.position}, {"n", p.n}, {"accuracy", p.accuracy}});
    mean += p.accuracy / static_cast<double>(r.summary.positions.size());
    worst = std::min(worst, p.accuracy);
  }
  run.events->append("eval", {{"step", step},
                              {"path", fs::relative(dir, run.dir).string()},
                              {"positions", positions},
                              {"mean_accuracy", mean},
                              {"worst_accuracy", worst},
                              {"seconds", r.wallSeconds}});
  run.note("eval at step " + std::to_string(step) + ": mean accuracy " + std::to_string(mean) + ", worst " +
           std::to_string(worst));
  return false;
}

MemoryPlan planFor(const Run& run, const Engine& engine, const DistillSet& set, int64_t teacherBytes) {
  MemoryPlan::Inputs in;
  const TrainingSettings& t = run.spec.settings;
  in.microBatch = t.microBatch > 0 ? std::min(t.microBatch, t.batchSize) : t.batchSize;
  int64_t longestResponse = 0;
  for (const DistillInstance& d : set.instances) {
    const auto r = static_cast<int64_t>(d.responseIds.size());
    longestResponse = std::max(longestResponse, r);
    in.longestSequence = std::max(in.longestSequence, static_cast<int64_t>(d.studentPromptIds.size()) + r);
  }
  in.targetsPerPass = in.microBatch * longestResponse;
  in.bf16 = t.dtype == "bf16";
  in.liveTeacher = run.spec.distill.klMethod() && run.spec.distill.teacher == "live";
  in.checkpointLayers = t.activationCheckpointing;
  in.teacherCacheBytes = teacherBytes;
  if (t.loraRank > 0)
    in.loraParameters = MemoryPlan::loraParameterCount(engine.model().config(), t.loraRank, t.loraTargets);
  return MemoryPlan::estimate(engine.model().config(), in, run.rt.device);
}

DistillOutcome execute(Run& run, bool resuming) {
  DistillOutcome out;
  run.events.emplace(run.leader() ? (run.dir / "events.jsonl").string() : std::string());
  try {
    // An adapter is merged: base + adapter is the model to fix, teacher and student alike.
    LoadOptions load;
    load.device = run.rt.device;
    load.threads = run.rt.threads;
    load.adapter = run.spec.adapter;
    load.mergeAdapter = true;
    const auto engine = Engine::open(run.spec.model, load);
    // Every forward of the job attends as training does (LlamaModel::setTrainingAttention).
    engine->model().setTrainingAttention(true);
    const std::string modelFp = ModelFingerprint::of(run.spec.model, run.spec.adapter);
    const std::string recorded = JsonFile::valueOr(
        JsonFile::valueOr(run.manifest, "model", nlohmann::json::object(), run.manifestPath), "fingerprint",
        std::string(), run.manifestPath + ": model");
    if (resuming && !recorded.empty() && recorded != modelFp)
      fail(run.manifestPath, "model.fingerprint", "the model has changed since the run started");
    run.manifest["model"] = {{"path", run.spec.model}, {"fingerprint", modelFp}};
    if (!run.spec.adapter.empty()) run.manifest["model"]["adapter"] = run.spec.adapter;
    if (!run.spec.data.empty())
      run.manifest["data"] = {{"path", run.spec.data},
                              {"fingerprint", DataFingerprint::ofFile(run.spec.data)}};
    run.manifest["device"] = run.rt.device;
    const SweepSettings prompts = promptSource(run.spec, run.spec.data);
    run.manifest["prompt"] = {{"task", prompts.task},
                              {"prompt_template", prompts.promptTemplate},
                              {"chat_template", prompts.chatTemplate},
                              {"docs", prompts.docs},
                              {"max_new_tokens", prompts.maxNewTokens}};
    // The ranks share the preparation; rank 0 writes the set (or copies a given one).
    std::optional<DistillSet> set = obtainSet(run, *engine, prompts, out.preparation);
    if (!set) {
      run.events->append("cancel", {{"phase", "preparing"}, {"questions", out.preparation.questions}});
      run.status("cancelled");
      out.status = "cancelled";
      return out;
    }
    set->check(engine->model().config().vocabSize, engine->model().config().maxPositions);
    if (run.spec.prepareOnly) {
      run.status("prepared");
      out.status = "prepared";
      return out;
    }

    // The objective, and for R1 the frozen teacher's side of the KL.
    DistillSettings& d = run.spec.distill;
    TrainingSettings& t = run.spec.settings;
    std::shared_ptr<const TrainingObjective> objective;
    std::unique_ptr<Engine> frozen; // the live teacher: a second copy of the original model
    KlObjective::Pairs pairs;
    int64_t cacheBytes = 0;
    if (d.klMethod()) {
      pairs = KlObjective::teacherPairs(*set);
      for (const TrainingSequence& p : pairs.sequences)
        cacheBytes += TargetLogits::targetCount(p, false) * engine->model().config().vocabSize * 4;
    } else {
      for (size_t i = 0; i < set->instances.size(); ++i)
        if (set->instances[i].isKl())
          fail(set->where(i), "kind",
               std::string("is \"") + instanceKindName(set->instances[i].kind) + "\"; method " + d.method +
                   " trains sequence instances (r1 trains KL instances)");
    }
    if (!run.spec.stepsGiven && d.epochs > 0)
      t.totalSteps = std::max<int64_t>(
          1, static_cast<int64_t>(std::ceil(d.epochs * static_cast<double>(set->instances.size()) /
                                            static_cast<double>(t.batchSize))));
    if (d.warmupFraction > 0 && !resuming)
      t.warmupSteps = std::llround(d.warmupFraction * static_cast<double>(t.totalSteps));
    t.validate("training settings");
    run.manifest["settings"] = t.toJson();
    run.manifest["distill"] = d.toJson();

    out.plan = planFor(run, *engine, *set, d.klMethod() && d.teacher == "cache" ? cacheBytes : 0);
    run.manifest["memory_plan"] = out.plan.toJson();
    if (run.spec.planOnly) {
      run.status("planned");
      out.status = "planned";
      return out;
    }
    if (!out.plan.fits())
      fail(run.manifestPath, "memory_plan",
           "the run needs about " + std::to_string(out.plan.total() >> 20) + " MiB (weights " +
               std::to_string(out.plan.weights >> 20) + ", gradients " +
               std::to_string(out.plan.gradients >> 20) + ", optimizer " +
               std::to_string(out.plan.optimizer >> 20) + ", activations " +
               std::to_string(out.plan.activations >> 20) + ", teacher " +
               std::to_string(out.plan.teacher >> 20) + ") but " + out.plan.device + " has " +
               std::to_string(out.plan.available >> 20) +
               " MiB available; lower --micro-batch, use --dtype bf16 or --teacher live/cache");

    if (d.klMethod()) {
      const LlamaModel* teacherModel = &engine->model(); // still the original weights: training has not begun
      // LoRA: the base under the adapter is the teacher (TeacherDistributions
      // switches the adapter off), so a live teacher needs no second copy.
      if (d.teacher == "live" && t.loraRank == 0) {
        frozen = Engine::open(run.spec.model, load);
        frozen->model().setTrainingAttention(true);
        teacherModel = &frozen->model();
      }
      run.status("training");
      auto teacher = std::make_shared<TeacherDistributions>(
          *teacherModel, pairs.sequences,
          d.teacher == "live" ? TeacherDistributions::Mode::Live : TeacherDistributions::Mode::Cached,
          int64_t{8}, std::function<void(size_t, size_t)>(), run.rt.group.get());
      run.events->append("teacher", {{"mode", TeacherDistributions::name(teacher->mode())},
                                     {"pairs", teacher->size()},
                                     {"bytes", teacher->cachedBytes()},
                                     {"seconds", teacher->fillSeconds()}});
      run.manifest["teacher"] = {{"mode", TeacherDistributions::name(teacher->mode())},
                                 {"pairs", teacher->size()},
                                 {"cache_bytes", teacher->cachedBytes()},
                                 {"fill_seconds", teacher->fillSeconds()}};
      objective = std::make_shared<KlObjective>(*set, pairs.ofInstance, teacher,
                                                PositionWeighting::parse(d.weighting, "weighting"), d.lambda);
    } else {
      std::vector<TrainingSequence> sequences;
      for (const DistillInstance& i : set->instances)
        sequences.push_back(studentSequence(i));
      objective = std::make_shared<CrossEntropyObjective>(std::move(sequences), false, set->path);
    }
    // The base model's held-out sweep is step 0 (before a resume restores trained weights).
    if (evaluate(run, *engine, 0)) {
      run.status("cancelled");
      out.status = "cancelled";
      return out;
    }

    run.status("training");
    Trainer trainer(engine->model(), objective, t, run.dir.string(), {}, run.rt.group);
    trainer.setCompanionFiles(TrainingJob::companionFiles(run.spec.model));
    trainer.setAdapterBase(fs::absolute(run.spec.model).lexically_normal().string());
    if (run.rt.progress) trainer.setProgressCallback(run.rt.progress);
    trainer.setCancelFlag(run.rt.cancel);
    if (resuming && trainer.resume()) {
      for (const std::string& damaged : trainer.damagedCheckpoints())
        run.note("skipped a damaged checkpoint: " + damaged);
      run.note("resuming at step " + std::to_string(trainer.step()) + " from " + trainer.lastCheckpoint());
    }
    trainer.setAfterStep([&](int64_t step) {
      // A stop asked for during it is seen by the trainer's check before the next step.
      if (d.evalEvery > 0 && step % d.evalEvery == 0 && step < t.totalSteps) evaluate(run, *engine, step);
    });
    out.training = trainer.run();
    if (!out.training.cancelled) evaluate(run, *engine, out.training.step);
    out.status = out.training.cancelled || run.cancelled() ? "cancelled" : "finished";
    run.manifest["result"] = {{"step", out.training.step},
                              {"final_loss", out.training.losses.empty()
                                                 ? nlohmann::json()
                                                 : nlohmann::json(out.training.losses.back())},
                              {"checkpoint", fs::relative(out.training.checkpoint, run.dir).string()}};
    if (out.status == "finished" && run.leader()) {
      out.model = TrainingJob::publishModel(run.dir.string(), out.training.checkpoint);
      run.manifest["result"]["model"] = fs::relative(out.model, run.dir).string();
    }
    run.status(out.status);
    return out;
  } catch (const std::exception& e) {
    if (!run.leader()) run.note(std::string("failed: ") + e.what()); // into RUN/logs/rank-K.log
    run.manifest["error"] = e.what();
    run.events->append("error", {{"message", e.what()}});
    run.status("failed");
    throw;
  }
}

} // namespace

DistillOutcome DistillJob::start(const DistillJobSpec& given, const std::string& runDir,
                                 const TrainingJobRuntime& rt) {
  if (given.model.empty()) fail("", "--model", "required");
  DistillJobSpec spec = given;
  TrainingJob::resolveAdapter(spec.model, spec.adapter, spec.settings);
  if (spec.data.empty() == spec.set.empty()) fail("", "--data/--set", "give exactly one of them");
  if (!fs::is_directory(spec.model))
    fail(spec.model, "--model",
         "distill trains a Hugging Face folder (convert a .gguf with poslab-cli convert)");
  spec.settings.validate("training settings");
  spec.distill.validate("distill settings");
  Run run{spec, fs::path(runDir), (fs::path(runDir) / "run.json").string(), {}, rt, std::nullopt};
  std::optional<RunLock> lock; // one process per run; a reader tells a live run from a dead one
  if (rt.leader()) {
    lock.emplace(runDir);
    if (fs::exists(run.manifestPath))
      fail(run.manifestPath, "",
           "this folder already holds a run: continue it with --resume or choose a new --out");
    fs::create_directories(runDir);
  }
  run.manifest = {{"kind", "distill"},
                  {"status", "starting"},
                  {"software", rt.software},
                  {"created", UtcClock::now()},
                  {"sources", sourcesJson(spec)},
                  {"settings", spec.settings.toJson()},
                  {"distill", spec.distill.toJson()},
                  {"prepare_only", spec.prepareOnly}};
  if (rt.leader()) JsonFile::write(run.manifestPath, run.manifest);
  return execute(run, false);
}

DistillOutcome DistillJob::resume(const std::string& runDir, std::optional<int64_t> totalSteps,
                                  const TrainingJobRuntime& rt) {
  const std::string manifestPath = (fs::path(runDir) / "run.json").string();
  if (!fs::exists(manifestPath)) fail(manifestPath, "", "missing: there is no run to resume in " + runDir);
  std::optional<RunLock> lock;
  if (rt.leader()) lock.emplace(runDir);
  nlohmann::json manifest = JsonFile::readObject(manifestPath);
  if (JsonFile::valueOr(manifest, "kind", std::string(), manifestPath) != "distill")
    fail(manifestPath, "kind", "is not \"distill\"");
  DistillJobSpec spec = specFromManifest(manifest, manifestPath);
  // A stopped --prepare-only run finishes its preparation; a prepared one goes on to train.
  spec.prepareOnly = JsonFile::valueOr(manifest, "prepare_only", false, manifestPath) &&
                     !fs::exists(fs::path(runDir) / "distill-set.jsonl");
  // A run stopped during preparation has no resolved total yet: its epochs still decide.
  spec.stepsGiven = manifest.contains("memory_plan");
  if (totalSteps) {
    spec.settings.totalSteps = *totalSteps;
    spec.stepsGiven = true;
    spec.settings.validate("--steps");
  }
  manifest.erase("error");
  Run run{spec, fs::path(runDir), manifestPath, manifest, rt, std::nullopt};
  return execute(run, true);
}

} // namespace poslab
