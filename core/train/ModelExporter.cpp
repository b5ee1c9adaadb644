#include "core/train/ModelExporter.h"

#include "core/engine/Engine.h"
#include "core/lora/PeftAdapter.h"
#include "core/model/HuggingFaceWriter.h"
#include "core/model/ModelLoader.h"
#include "core/train/CheckpointStore.h"
#include "core/train/TrainingJob.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/util/UtcClock.h"
#include "core/weights/WeightSource.h"

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace poslab {

namespace {

at::ScalarType parseDtype(const std::string& d) {
  if (d == "f32") return at::kFloat;
  if (d == "bf16") return at::kBFloat16;
  if (d == "f16") return at::kHalf;
  fail("", "--dtype", "'" + d + "' is not f32, bf16 or f16");
}

// The folder to export and the run it belongs to ("" when none).
struct Source {
  fs::path folder, run;
};

Source find(const ExportRequest& r) {
  const fs::path src(r.source);
  if (!fs::is_directory(src)) fail(r.source, "", "not a run, checkpoint or model folder");
  if (fs::exists(src / "run.json")) {
    if (r.step) {
      const fs::path cp = src / "checkpoints" / CheckpointStore::stepName(*r.step);
      if (!fs::is_directory(cp))
        fail(cp.string(), "--step",
             "no checkpoint of step " + std::to_string(*r.step) + " (older ones are pruned)");
      return {cp, src};
    }
    if (!fs::is_directory(src / "model"))
      fail((src / "model").string(), "", "missing: the run has not finished; give --step N for a checkpoint");
    return {src / "model", src};
  }
  if (r.step) fail(r.source, "--step", "is for a run folder; this is a single model or checkpoint");
  // A checkpoint inside a run: <run>/checkpoints/step-N.
  const fs::path parent = src.lexically_normal().parent_path();
  if (parent.filename() == "checkpoints" && fs::exists(parent.parent_path() / "run.json"))
    return {src, parent.parent_path()};
  return {src, {}};
}

// A checkpoint is exported only when it passes its manifest (CheckpointStore::verify).
Source locate(const ExportRequest& r) {
  Source s = find(r);
  if (fs::exists(s.folder / "trainer_state.json")) CheckpointStore::verify(s.folder.string());
  return s;
}

int64_t stepOf(const Source& s) {
  const fs::path state = s.folder / "trainer_state.json";
  if (fs::exists(state))
    return JsonFile::valueOr(JsonFile::readObject(state.string()), "step", int64_t(-1), state.string());
  if (s.run.empty()) return -1;
  const std::string runJson = (s.run / "run.json").string();
  const nlohmann::json run = JsonFile::readObject(runJson);
  return JsonFile::valueOr(JsonFile::valueOr(run, "result", nlohmann::json::object(), runJson), "step",
                           int64_t(-1), runJson + ": result");
}

void copyCompanions(const fs::path& from, const fs::path& to) {
  for (const std::string& f : TrainingJob::companionFiles(from.string()))
    fs::copy_file(f, to / fs::path(f).filename(), fs::copy_options::overwrite_existing);
}

} // namespace

ExportResult ModelExporter::run(const ExportRequest& r) {
  if (r.format != "hf" && r.format != "peft" && r.format != "merged")
    fail("", "--format", "'" + r.format + "' is not hf, peft or merged");
  const at::ScalarType dtype = parseDtype(r.dtype);
  const fs::path out(r.out);
  if (fs::exists(out) && !(fs::is_directory(out) && fs::is_empty(out)))
    fail(r.out, "--out", "exists and is not an empty folder (nothing is overwritten)");
  const Source s = locate(r);
  const bool lora = PeftAdapter::isAdapterFolder(s.folder.string());
  nlohmann::json run;
  if (!s.run.empty()) run = JsonFile::readObject((s.run / "run.json").string());

  ExportResult result;
  result.folder = s.folder.string();
  result.step = stepOf(s);
  if (lora && r.format == "hf")
    fail(s.folder.string(), "--format",
         "this is a LoRA adapter: export it as peft, or as merged for a full model");
  if (!lora && r.format == "peft")
    fail(s.folder.string(), "--format",
         "this is a fully fine-tuned model, not a LoRA adapter: export it as hf");

  const fs::path temp = out.string() + ".tmp-" + std::to_string(::getpid());
  fs::remove_all(temp);
  fs::create_directories(temp);
  try {
    if (lora) {
      result.base = PeftAdapter::resolveBase(s.folder.string());
      if (r.format == "peft") {
        // The base's config is enough to check every tensor; its weights are not read.
        const ModelConfig base = ModelLoader::readConfig(*WeightSource::open(result.base));
        LoadedAdapter a = PeftAdapter::load(s.folder.string(), base, at::kCPU);
        // The base as the run was given it (a path or a hub name), as PEFT writes it.
        const std::string runJson = (s.run / "run.json").string();
        const std::string given =
            JsonFile::valueOr(JsonFile::valueOr(run, "model", nlohmann::json::object(), runJson), "path",
                              std::string(), runJson + ": model");
        if (!given.empty()) a.config.baseModel = given;
        PeftAdapter::write(temp.string(), a.config, *a.weights, dtype);
        result.tensors = static_cast<int64_t>(a.weights->all().size());
      } else {
        LoadOptions o;
        o.adapter = s.folder.string();
        o.mergeAdapter = true;
        const auto engine = Engine::open(result.base, o);
        HuggingFaceWriter::write(temp.string(), engine->model().config(), engine->model().weights(), dtype);
        result.tensors = static_cast<int64_t>(engine->model().weights().all().size());
        copyCompanions(result.base, temp);
      }
    } else {
      LoadedModel m = ModelLoader::load(s.folder.string(), at::kFloat, at::kCPU);
      HuggingFaceWriter::write(temp.string(), m.model->config(), m.model->weights(), dtype);
      result.tensors = static_cast<int64_t>(m.model->weights().all().size());
    }
    copyCompanions(s.folder, temp); // the run's own tokenizer and task files win
    nlohmann::ordered_json info;
    info["format"] = r.format;
    info["dtype"] = r.dtype;
    info["source"] = s.folder.string();
    info["step"] = result.step;
    if (!result.base.empty()) info["base_model"] = result.base;
    if (!run.is_null())
      for (const char* key : {"kind", "version", "model", "data", "settings", "distill", "prompt", "result"})
        if (run.contains(key)) info["run"][key] = run[key];
    info["exported"] = UtcClock::now();
    JsonFile::write((temp / "poslab.json").string(), info);
    if (fs::exists(out)) fs::remove(out); // empty, checked above
    fs::rename(temp, out);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
  return result;
}

} // namespace poslab
