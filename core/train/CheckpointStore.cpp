#include "core/train/CheckpointStore.h"

#include "core/data/DataFingerprint.h"
#include "core/train/AdamW.h"
#include "core/util/AtomicFile.h"
#include "core/util/CheckpointPins.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/SafetensorsFile.h"
#include "core/weights/SafetensorsWriter.h"
#include "core/weights/TensorLoader.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace fs = std::filesystem;

namespace poslab {

namespace {

void writeTensors(const std::string& path, const std::vector<std::pair<std::string, at::Tensor>>& named,
                  const std::map<std::string, std::string>& metadata) {
  std::vector<at::Tensor> keep; // contiguous fp32 CPU copies the entries point into
  std::vector<SafetensorsWriter::Entry> entries;
  keep.reserve(named.size());
  for (const auto& [name, t] : named) {
    keep.push_back(t.detach().to(at::kCPU).to(at::kFloat).contiguous());
    const at::Tensor& k = keep.back();
    entries.push_back({name, DType::F32, k.sizes().vec(), k.data_ptr(), k.nbytes()});
  }
  SafetensorsWriter::write(path, entries, metadata);
}

std::map<std::string, at::Tensor> readTensors(const std::string& path) {
  if (!fs::exists(path)) fail(path, "", "missing from the checkpoint");
  SafetensorsFile file(path);
  std::map<std::string, at::Tensor> out;
  for (const TensorView& v : file.tensors())
    out[v.name] = loadTensor(v, file.mapping(), at::kFloat).clone(); // own memory: the file may be pruned
  return out;
}

constexpr const char* kManifest = "manifest.json";

// manifest.json of a finished checkpoint folder: each file's size and SHA-256.
void writeManifest(const fs::path& dir) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != kManifest)
      files[e.path().filename().string()] = {{"bytes", static_cast<int64_t>(e.file_size())},
                                             {"sha256", DataFingerprint::ofFile(e.path().string())}};
  const nlohmann::json manifest = {{"format", "poslab-checkpoint-manifest"}, {"files", files}};
  JsonFile::write((dir / kManifest).string(), manifest);
}

} // namespace

CheckpointStore::CheckpointStore(std::string runDir, int64_t keep)
    : runDir_(std::move(runDir)), keep_(keep) {}

std::string CheckpointStore::folder() const {
  return (fs::path(runDir_) / "checkpoints").string();
}

std::string CheckpointStore::stepName(int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%06lld", static_cast<long long>(step));
  return name;
}

std::string CheckpointStore::save(const std::function<void(const std::string& dir)>& writeModel,
                                  const AdamW& optimizer, bool saveMaster, const TrainerState& state) const {
  const fs::path root = folder();
  fs::create_directories(root);
  const std::string name = stepName(state.step);
  const fs::path temp = root / (".tmp-" + name + "-" + std::to_string(::getpid()));
  const fs::path final = root / name;
  // Half-written checkpoints of killed processes (run.lock lets one process
  // own a run at a time, so none of them is being written now).
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.path().filename().string().starts_with(".tmp-")) fs::remove_all(entry.path());
  try {
    fs::create_directories(temp);
    writeModel(temp.string());
    std::vector<std::pair<std::string, at::Tensor>> opt = optimizer.stateTensors();
    if (saveMaster)
      for (const OptimizedParameter& p : optimizer.parameters())
        opt.emplace_back("master." + p.name, p.value);
    writeTensors((temp / "optimizer.safetensors").string(), opt,
                 {{"format", "poslab-adamw"}, {"step", std::to_string(optimizer.steps())}});
    JsonFile::write((temp / "trainer_state.json").string(), state.toJson());
    for (const std::string& file : companions_)
      fs::copy_file(file, temp / fs::path(file).filename(), fs::copy_options::overwrite_existing);
    writeManifest(temp);
    fs::remove_all(final); // a checkpoint of the same step (e.g. cancel right after a periodic one)
    fs::rename(temp, final);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
  AtomicFile::writeText((root / "latest").string(), name + "\n");
  prune();
  return final.string();
}

void CheckpointStore::prune() const {
  std::vector<std::string> steps;
  for (const auto& entry : fs::directory_iterator(folder())) {
    const std::string n = entry.path().filename().string();
    if (entry.is_directory() && n.starts_with("step-")) steps.push_back(n);
  }
  // Pinned checkpoints (the GUI's pin) are neither removed nor counted in keep.
  // Pins that cannot be read remove nothing: a lost checkpoint cannot come back.
  std::set<std::string> pinned;
  try {
    pinned = CheckpointPins::read(runDir_);
  } catch (const Error&) {
    return;
  }
  std::erase_if(steps, [&](const std::string& n) { return pinned.count(n) > 0; });
  std::sort(steps.begin(), steps.end()); // zero-padded: lexical order is step order
  for (size_t i = 0; i + static_cast<size_t>(keep_) < steps.size(); ++i)
    fs::remove_all(fs::path(folder()) / steps[i]);
}

std::optional<std::string> CheckpointStore::latest() const {
  const fs::path file = fs::path(folder()) / "latest";
  if (!fs::exists(file)) return std::nullopt;
  std::ifstream in(file);
  std::string name;
  std::getline(in, name);
  if (!name.starts_with("step-") || name.find('/') != std::string::npos)
    fail(file.string(), "", "does not name a checkpoint folder (\"" + name + "\")");
  const fs::path dir = fs::path(folder()) / name;
  if (!fs::is_directory(dir)) fail(file.string(), "", "names " + name + ", which does not exist");
  return dir.string();
}

std::optional<std::string> CheckpointStore::latestIntact(std::vector<std::string>& skipped) const {
  const std::optional<std::string> named = latest();
  if (!named) return std::nullopt;
  // `latest` first, then the earlier checkpoints, newest first.
  std::vector<std::string> candidates = {*named};
  std::vector<std::string> steps;
  for (const auto& entry : fs::directory_iterator(folder())) {
    const std::string n = entry.path().filename().string();
    if (entry.is_directory() && n.starts_with("step-") && n < fs::path(*named).filename().string())
      steps.push_back(entry.path().string());
  }
  std::sort(steps.rbegin(), steps.rend());
  candidates.insert(candidates.end(), steps.begin(), steps.end());
  for (const std::string& dir : candidates) {
    try {
      verify(dir);
      return dir;
    } catch (const Error& e) {
      skipped.push_back(e.what());
    }
  }
  fail((fs::path(folder()) / "latest").string(), "",
       "no intact checkpoint left: " + std::to_string(skipped.size()) +
           " damaged, the newest: " + skipped.front());
}

void CheckpointStore::verify(const std::string& dir) {
  const fs::path manifestPath = fs::path(dir) / kManifest;
  if (!fs::exists(manifestPath)) return; // written before manifests
  const nlohmann::json m = JsonFile::readObject(manifestPath.string());
  const auto files = m.find("files");
  if (files == m.end() || !files->is_object())
    fail(manifestPath.string(), "files", "missing or not an object");
  for (const auto& [name, want] : files->items()) {
    const fs::path file = fs::path(dir) / name;
    if (!fs::is_regular_file(file)) fail(file.string(), "", "listed in manifest.json but missing");
    if (!want.is_object() || !want.contains("bytes") || !want["bytes"].is_number_integer() ||
        !want.contains("sha256") || !want["sha256"].is_string())
      fail(manifestPath.string(), "files." + name, "needs integer \"bytes\" and string \"sha256\"");
    const auto bytes = static_cast<int64_t>(fs::file_size(file));
    if (bytes != want["bytes"].get<int64_t>())
      fail(file.string(), "bytes",
           std::to_string(bytes) + ", manifest.json says " + std::to_string(want["bytes"].get<int64_t>()) +
               " (truncated or rewritten)");
    if (DataFingerprint::ofFile(file.string()) != want["sha256"].get<std::string>())
      fail(file.string(), "sha256", "differs from manifest.json (the bytes changed after the checkpoint)");
  }
  // A weights, optimizer or state file the manifest does not list cannot be vouched for.
  for (const char* needed : {"trainer_state.json", "optimizer.safetensors"})
    if (!files->contains(needed)) fail(manifestPath.string(), std::string("files.") + needed, "missing");
  if (!files->contains("model.safetensors") && !files->contains("adapter_model.safetensors"))
    fail(manifestPath.string(), "files.model.safetensors", "missing (nor adapter_model.safetensors)");
}

CheckpointStore::Loaded CheckpointStore::load(const std::string& dir) {
  Loaded out;
  const std::string statePath = (fs::path(dir) / "trainer_state.json").string();
  if (!fs::exists(statePath)) fail(statePath, "", "missing from the checkpoint");
  out.state = TrainerState::fromJson(JsonFile::readObject(statePath), statePath);
  const fs::path adapter = fs::path(dir) / "adapter_model.safetensors";
  out.model = readTensors((fs::exists(adapter) ? adapter : fs::path(dir) / "model.safetensors").string());
  const std::string optPath = (fs::path(dir) / "optimizer.safetensors").string();
  out.optimizer = readTensors(optPath);
  SafetensorsFile meta(optPath);
  auto step = meta.metadata().find("step");
  if (step == meta.metadata().end() || step->second != std::to_string(out.state.step))
    fail(optPath, "__metadata__.step",
         "does not match trainer_state.json's step " + std::to_string(out.state.step));
  return out;
}

} // namespace poslab
