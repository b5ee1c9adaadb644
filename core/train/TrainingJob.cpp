#include "core/train/TrainingJob.h"

#include "core/data/DataFingerprint.h"
#include "core/data/DatasetLoader.h"
#include "core/engine/Engine.h"
#include "core/engine/GgufConverter.h"
#include "core/engine/ModelFingerprint.h"
#include "core/engine/TokenizerLoader.h"
#include "core/lora/PeftAdapter.h"
#include "core/model/ModelLoader.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/sweep/TaskDefaults.h"
#include "core/train/ModelInitializer.h"
#include "core/train/PromptSequenceBuilder.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/RunLock.h"
#include "core/util/UtcClock.h"

#include <ATen/Parallel.h>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

namespace fs = std::filesystem;

namespace poslab {

namespace {

// Files that make a weights folder a usable model; copied into checkpoints and <run>/model.
const char* kCompanions[] = {"tokenizer.json",
                             "tokenizer.model",
                             "tokenizer_config.json",
                             "special_tokens_map.json",
                             "generation_config.json",
                             "vocab.json",
                             "merges.txt",
                             "encoder.json",
                             "vocab.bpe",
                             "chat_template.jinja",
                             TaskDefaults::kFileName};

struct Prepared {
  std::unique_ptr<LlamaModel> model;
  std::unique_ptr<Tokenizer> tokenizer;
  std::vector<TrainingSequence> sequences;
  std::vector<std::string> companions;
  nlohmann::json modelJson, dataJson, prompt;
};

void note(const TrainingJobRuntime& rt, const std::string& line) {
  if (rt.log) rt.log(line);
}

Prepared prepare(const TrainingJobSpec& spec, const std::string& runDir, const TrainingJobRuntime& rt) {
  Prepared p;
  const at::Device device(rt.device);
  std::string tokenizerDir;
  if (!spec.init.empty()) {
    const ModelConfig config = ModelConfig::fromHuggingFaceJson(spec.init);
    p.model = ModelInitializer::model(config, spec.settings.seed, at::kFloat, device);
    tokenizerDir = spec.tokenizer;
    p.modelJson = {{"init", spec.init},
                   {"fingerprint", DataFingerprint::ofFile(spec.init)},
                   {"seed", spec.settings.seed},
                   {"tokenizer", spec.tokenizer}};
  } else {
    std::string folder = spec.model;
    if (!fs::is_directory(folder)) { // a .gguf: train its Hugging Face form (weights and tokenizer.model)
      folder = (fs::path(runDir) / "base-model").string();
      if (rt.leader() && !fs::exists(fs::path(folder) / "model.safetensors")) {
        note(rt, "converting " + spec.model + " to " + folder);
        GgufConverter::convert(spec.model, folder, "f32");
      }
      if (rt.group) rt.group->barrier("converting " + spec.model, ProcessGroup::kLeaderPhase);
    }
    p.model = std::move(ModelLoader::load(folder, at::kFloat, device).model);
    tokenizerDir = folder;
    p.modelJson = {{"path", spec.model}, {"fingerprint", ModelFingerprint::of(spec.model, spec.adapter)}};
    if (!spec.adapter.empty()) { // base + adapter is the model to train
      PeftAdapter::load(spec.adapter, *p.model).weights->mergeInto(p.model->weights());
      p.modelJson["adapter"] = spec.adapter;
    }
  }
  // Every forward of the job attends as training does (LlamaModel::setTrainingAttention).
  p.model->setTrainingAttention(true);
  p.tokenizer = TokenizerLoader::load(tokenizerDir);
  if (!p.tokenizer)
    fail(tokenizerDir, "tokenizer",
         "none found (looked for " + TokenizerLoader::searchedFiles() + "); prompts need one");
  if (p.tokenizer->vocabSize() > p.model->config().vocabSize)
    fail(tokenizerDir, "vocab_size",
         "the tokenizer has " + std::to_string(p.tokenizer->vocabSize()) + " tokens, the model's config " +
             std::to_string(p.model->config().vocabSize));
  p.companions = TrainingJob::companionFiles(tokenizerDir);
  if (!spec.model.empty() && !fs::is_directory(spec.model)) // a .gguf: its task files sit beside it
    for (const std::string& f : TrainingJob::companionFiles(fs::path(spec.model).parent_path().string()))
      if (std::find_if(p.companions.begin(), p.companions.end(), [&](const std::string& c) {
            return fs::path(c).filename() == fs::path(f).filename();
          }) == p.companions.end())
        p.companions.push_back(f);

  // The model's own task defaults (a .gguf converted into the run reads them beside the .gguf).
  SweepSettings source = TrainingJob::promptSource(spec);
  if (!spec.init.empty()) source.modelPath.clear();
  source = ExperimentPrompts::resolve(source);
  const LoadedDataset data = ExperimentPrompts::loadExamples(source);
  PromptFactory factory = ExperimentPrompts::factory(*p.tokenizer, source, data.examples.front().kind);
  int32_t eos = p.tokenizer->specialTokens().eos;
  if (eos < 0 && !p.model->config().eosTokenIds.empty())
    eos = static_cast<int32_t>(p.model->config().eosTokenIds[0]);
  PromptSequenceBuilder builder(factory, eos, spec.positionWeights, spec.settings.seed);
  p.sequences = builder.build(data.examples);

  std::vector<int64_t> perPosition;
  int64_t tokens = 0, answerTokens = 0;
  for (size_t i = 0; i < data.examples.size(); ++i) {
    const size_t pos = builder.positionFor(data.examples[i]);
    if (perPosition.size() <= pos) perPosition.resize(pos + 1, 0);
    ++perPosition[pos];
    tokens += static_cast<int64_t>(p.sequences[i].ids.size());
    for (uint8_t m : p.sequences[i].lossMask)
      answerTokens += m;
  }
  p.prompt = {{"task", source.task == "auto" ? taskKindName(data.examples.front().kind) : source.task},
              {"prompt_template", factory.promptTemplate().name()},
              {"chat_template", factory.usesChat() ? source.chatTemplate : "none"},
              {"docs", source.docs}};
  p.dataJson = {{"path", spec.data},
                {"fingerprint", DataFingerprint::ofFile(spec.data)},
                {"examples", data.examples.size()},
                {"task", taskKindName(data.examples.front().kind)},
                {"tokens", tokens},
                {"answer_tokens", answerTokens},
                {"gold_positions", perPosition}};
  note(rt, std::to_string(p.sequences.size()) + " training sequences, " + std::to_string(tokens) +
               " tokens (" + std::to_string(answerTokens) + " answer + EOS), mean " +
               std::to_string(tokens / static_cast<int64_t>(p.sequences.size())) + " per sequence");
  return p;
}

TrainingOutcome execute(const TrainingJobSpec& spec, const std::string& runDir, nlohmann::json manifest,
                        const TrainingJobRuntime& rt, bool resuming) {
  const std::string manifestPath = (fs::path(runDir) / "run.json").string();
  std::optional<RunLock> lock; // one process per run; a reader tells a live run from a dead one
  if (rt.leader()) lock.emplace(runDir);
  const int threads = configureThreads(rt.threads); // OpenBLAS's pool too: --threads 1 is one core
  // Rank 0 alone writes run.json; the others keep it in memory.
  auto write = [&] {
    if (rt.leader()) JsonFile::write(manifestPath, manifest);
  };
  try {
    Prepared p = prepare(spec, runDir, rt);
    // A run that failed before it loaded anything has no fingerprints to hold against.
    auto recorded = [&](const char* part) {
      auto it = manifest.find(part);
      return it != manifest.end() && it->is_object() ? it->value("fingerprint", "") : std::string();
    };
    if (resuming && !recorded("data").empty() && recorded("data") != p.dataJson["fingerprint"])
      fail(manifestPath, "data.fingerprint", spec.data + " has changed since the run started");
    if (resuming && !recorded("model").empty() && recorded("model") != p.modelJson["fingerprint"])
      fail(manifestPath, "model.fingerprint", "the model has changed since the run started");
    manifest["model"] = p.modelJson;
    manifest["data"] = p.dataJson;
    manifest["prompt"] = p.prompt; // what the model's task defaults resolved to
    manifest["status"] = "running";
    manifest["device"] = rt.device;
    manifest["threads"] = threads;
    manifest["updated"] = UtcClock::now();
    write();

    Trainer trainer(*p.model, std::move(p.sequences), spec.settings, runDir, rt.group);
    trainer.setCompanionFiles(p.companions);
    // A LoRA checkpoint names its base: the folder the weights came from.
    trainer.setAdapterBase(
        fs::absolute(fs::is_directory(spec.model) ? fs::path(spec.model) : fs::path(runDir) / "base-model")
            .lexically_normal()
            .string());
    if (rt.progress) trainer.setProgressCallback(rt.progress);
    trainer.setCancelFlag(rt.cancel);
    if (resuming) {
      if (trainer.resume()) {
        for (const std::string& damaged : trainer.damagedCheckpoints())
          note(rt, "skipped a damaged checkpoint: " + damaged);
        note(rt, "resuming at step " + std::to_string(trainer.step()) + " from " + trainer.lastCheckpoint());
      } else {
        note(rt, "no checkpoint yet: starting the run from step 0");
      }
    }
    TrainingOutcome out = trainer.run();
    manifest["status"] = out.cancelled ? "cancelled" : "finished";
    manifest["result"] = {
        {"step", out.step},
        {"final_loss", out.losses.empty() ? nlohmann::json() : nlohmann::json(out.losses.back())},
        {"checkpoint", fs::relative(out.checkpoint, runDir).string()}};
    if (!out.cancelled && rt.leader())
      manifest["result"]["model"] =
          fs::relative(TrainingJob::publishModel(runDir, out.checkpoint), runDir).string();
    manifest["updated"] = UtcClock::now();
    write();
    return out;
  } catch (const std::exception& e) {
    if (!rt.leader()) note(rt, std::string("failed: ") + e.what()); // into RUN/logs/rank-K.log
    manifest["status"] = "failed";
    manifest["error"] = e.what();
    manifest["updated"] = UtcClock::now();
    write();
    throw;
  }
}

} // namespace

void TrainingJob::resolveAdapter(std::string& model, std::string& adapter, const TrainingSettings& settings) {
  const ModelPaths paths = ModelPaths::resolve(model, adapter);
  model = paths.base;
  adapter = paths.adapter;
  if (!adapter.empty() && settings.loraRank > 0)
    fail(adapter, "--adapter",
         "cannot be combined with --lora (the new adapter's base would be base + adapter, which is no "
         "folder): "
         "export it with --format merged and train on that with --lora");
}

nlohmann::json TrainingJob::specToJson(const TrainingJobSpec& s) {
  nlohmann::json j = {{"model", s.model},
                      {"init", s.init},
                      {"tokenizer", s.tokenizer},
                      {"data", s.data},
                      {"limit", s.limit},
                      {"docs", s.docs},
                      {"position_weights", s.positionWeights},
                      {"prompt_template", s.promptTemplate},
                      {"chat_template", s.chatTemplate},
                      {"system", s.system},
                      {"random_distractors", s.randomDistractors},
                      {"distractor_seed", s.distractorSeed},
                      {"shuffle_seed", s.shuffleSeed ? nlohmann::json(*s.shuffleSeed) : nlohmann::json()}};
  if (!s.adapter.empty()) j["adapter"] = s.adapter; // only with one: older runs read as before
  return j;
}

SweepSettings TrainingJob::promptSource(const TrainingJobSpec& spec) {
  SweepSettings s;
  s.modelPath = spec.model;
  s.dataPath = spec.data;
  s.limit = spec.limit;
  s.docs = spec.docs;
  s.promptTemplate = spec.promptTemplate;
  s.chatTemplate = spec.chatTemplate;
  s.system = spec.system;
  s.randomDistractors = spec.randomDistractors;
  s.distractorSeed = spec.distractorSeed;
  s.shuffleSeed = spec.shuffleSeed;
  return s;
}

std::string TrainingJob::publishModel(const std::string& runDir, const std::string& checkpoint) {
  const fs::path final = fs::path(runDir) / "model", temp = fs::path(runDir) / ".tmp-model";
  fs::remove_all(temp);
  fs::create_directories(temp);
  for (const auto& e : fs::directory_iterator(checkpoint)) {
    const std::string n = e.path().filename().string();
    // The model alone: a checkpoint's optimizer state, trainer state and manifest stay behind.
    if (n != "optimizer.safetensors" && n != "trainer_state.json" && n != "manifest.json")
      fs::copy_file(e.path(), temp / n);
  }
  fs::remove_all(final);
  fs::rename(temp, final);
  return final.string();
}

void TrainingJob::publishRun(const std::string& runDir, const std::string& dest) {
  const fs::path model = fs::path(runDir) / "model", to(dest);
  if (!fs::is_directory(model)) fail(runDir, "model", "the run has no final model to publish");
  checkPublishTarget(dest);
  const fs::path temp = to.parent_path() / (".tmp-publish-" + to.filename().string());
  fs::remove_all(temp);
  fs::create_directories(temp);
  for (const auto& e : fs::directory_iterator(model))
    fs::copy_file(e.path(), temp / e.path().filename());
  for (const char* name : {"run.json", "events.jsonl"})
    fs::copy_file(fs::path(runDir) / name, temp / name);
  fs::remove(to); // an empty folder
  fs::rename(temp, to);
}

void TrainingJob::checkPublishTarget(const std::string& dest) {
  const fs::path to(dest);
  if (fs::exists(to) && !(fs::is_directory(to) && fs::is_empty(to)))
    fail(dest, "--publish", "exists and is not an empty folder");
  if (to.filename().empty()) fail(dest, "--publish", "names no folder");
}

std::vector<std::string> TrainingJob::companionFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const char* name : kCompanions)
    if (fs::is_regular_file(fs::path(dir) / name)) out.push_back((fs::path(dir) / name).string());
  // The task's prompt template when it is a file of the model folder (the demo's prompt.txt).
  const TaskDefaults d = TaskDefaults::forModel(dir);
  if (d.promptTemplate && fs::is_regular_file(*d.promptTemplate) &&
      fs::equivalent(fs::path(*d.promptTemplate).parent_path(), dir))
    out.push_back(*d.promptTemplate);
  return out;
}

TrainingJobSpec TrainingJob::specFromJson(const nlohmann::json& run, const std::string& source) {
  auto it = run.find("sources");
  if (it == run.end() || !it->is_object()) fail(source, "sources", "missing");
  TrainingJobSpec s;
  try {
    s.model = it->at("model").get<std::string>();
    s.init = it->at("init").get<std::string>();
    s.tokenizer = it->at("tokenizer").get<std::string>();
    s.data = it->at("data").get<std::string>();
    s.limit = it->at("limit").get<size_t>();
    s.docs = it->at("docs").get<size_t>();
    s.positionWeights = it->at("position_weights").get<std::vector<double>>();
    // Prompt options came later; older run folders have none (the defaults).
    s.adapter = it->value("adapter", "");
    s.promptTemplate = it->value("prompt_template", "");
    s.chatTemplate = it->value("chat_template", "auto");
    s.system = it->value("system", "");
    s.randomDistractors = it->value("random_distractors", size_t{0});
    s.distractorSeed = it->value("distractor_seed", uint64_t{0});
    if (it->contains("shuffle_seed") && !it->at("shuffle_seed").is_null())
      s.shuffleSeed = it->at("shuffle_seed").get<uint64_t>();
  } catch (const nlohmann::json::exception& e) {
    fail(source, "sources", std::string("missing or wrong type (") + e.what() + ")");
  }
  auto settings = run.find("settings");
  if (settings == run.end()) fail(source, "settings", "missing");
  s.settings = TrainingSettings::fromJson(*settings, source + ": settings");
  return s;
}

TrainingOutcome TrainingJob::start(const TrainingJobSpec& given, const std::string& runDir,
                                   const TrainingJobRuntime& rt) {
  if (given.model.empty() == given.init.empty()) fail("", "--model/--init", "give exactly one of them");
  if (!given.init.empty() && given.tokenizer.empty())
    fail("", "--tokenizer", "--init needs a tokenizer folder");
  if (!given.init.empty() && !given.adapter.empty())
    fail("", "--adapter", "needs a pretrained --model, not --init");
  TrainingJobSpec spec = given;
  if (!spec.model.empty()) resolveAdapter(spec.model, spec.adapter, spec.settings);
  if (!spec.init.empty() && spec.settings.loraRank > 0)
    fail("", "--lora", "adapters need a pretrained --model; --init trains every weight from scratch");
  spec.settings.validate("training settings");
  const fs::path manifestPath = fs::path(runDir) / "run.json";
  if (rt.leader() && fs::exists(manifestPath))
    fail(manifestPath.string(), "",
         "this folder already holds a run: continue it with --resume or choose a new --out");
  if (rt.leader()) fs::create_directories(runDir);
  nlohmann::json manifest = {{"kind", "train"},
                             {"status", "starting"},
                             {"software", rt.software},
                             {"created", UtcClock::now()},
                             {"sources", specToJson(spec)},
                             {"settings", spec.settings.toJson()}};
  if (rt.leader()) JsonFile::write(manifestPath.string(), manifest);
  return execute(spec, runDir, manifest, rt, false);
}

TrainingOutcome TrainingJob::resume(const std::string& runDir, std::optional<int64_t> totalSteps,
                                    const TrainingJobRuntime& rt) {
  const std::string manifestPath = (fs::path(runDir) / "run.json").string();
  if (!fs::exists(manifestPath)) fail(manifestPath, "", "missing: there is no run to resume in " + runDir);
  nlohmann::json manifest = JsonFile::readObject(manifestPath);
  if (JsonFile::valueOr(manifest, "kind", std::string(), manifestPath) != "train")
    fail(manifestPath, "kind", "is not \"train\"");
  TrainingJobSpec spec = specFromJson(manifest, manifestPath);
  if (totalSteps) {
    spec.settings.totalSteps = *totalSteps;
    spec.settings.validate("--steps");
    manifest["settings"] = spec.settings.toJson();
  }
  manifest.erase("error");
  return execute(spec, runDir, manifest, rt, true);
}

} // namespace poslab
