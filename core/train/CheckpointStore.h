#pragma once
// <run>/checkpoints/step-000123/:
//   model.safetensors + config.json  the weights under Hugging Face names (HuggingFaceWriter),
//                                    loadable by ModelLoader and every `poslab-cli` command;
//                                    a LoRA run writes adapter_model.safetensors +
//                                    adapter_config.json instead (a PEFT folder naming its base)
//   optimizer.safetensors            AdamW moments "exp_avg.<name>", "exp_avg_sq.<name>", and
//                                    "master.<name>" fp32 master weights when the model is bf16
//   trainer_state.json               TrainerState (step, data position, losses, settings)
//   manifest.json                    every other file's size and SHA-256, written last
// A checkpoint is written into a temporary folder and renamed into place, then
// <run>/checkpoints/latest (one line, the folder name) is replaced atomically;
// so a crash at any moment leaves `latest` naming a complete checkpoint. A
// checkpoint damaged afterwards (truncated, bytes changed, a file lost) fails
// its manifest, and resuming falls back to the newest earlier one that passes.
#include "core/train/TrainerState.h"

#include <ATen/ATen.h>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace poslab {

class AdamW;

class CheckpointStore {
public:
  CheckpointStore(std::string runDir, int64_t keep);

  // Files copied into every checkpoint beside the weights (tokenizer files), so
  // each checkpoint is a complete model folder.
  void setCompanionFiles(std::vector<std::string> paths) { companions_ = std::move(paths); }

  std::string folder() const;                // <run>/checkpoints
  static std::string stepName(int64_t step); // "step-000123"

  // Writes the checkpoint of `state.step` (the model files by writeModel(dir)),
  // points `latest` at it, drops old ones. Returns its folder.
  std::string save(const std::function<void(const std::string& dir)>& writeModel, const AdamW& optimizer,
                   bool saveMaster, const TrainerState& state) const;

  // The folder `latest` names, or nullopt when the run has no checkpoint yet.
  std::optional<std::string> latest() const;
  // `latest` when it passes its manifest, else the newest earlier checkpoint
  // that does; `skipped` gets one line per damaged checkpoint passed over.
  // Throws when there are checkpoints and none passes.
  std::optional<std::string> latestIntact(std::vector<std::string>& skipped) const;

  // Checks every file manifest.json lists (present, size, SHA-256) and that no
  // checkpoint file is missing from it; errors name the file and the field.
  // A checkpoint written before manifests existed has none and passes.
  static void verify(const std::string& checkpointDir);

  struct Loaded {
    TrainerState state;
    std::map<std::string, at::Tensor> model;     // model.safetensors (or adapter_model.safetensors), fp32
    std::map<std::string, at::Tensor> optimizer; // optimizer.safetensors, fp32
  };
  // Reads and checks every piece; errors name the file and the field. The
  // manifest is not checked again here: latestIntact() (or verify()) comes first,
  // so a multi-GB checkpoint is hashed once per resume.
  static Loaded load(const std::string& checkpointDir);

private:
  void prune() const;

  std::string runDir_;
  int64_t keep_;
  std::vector<std::string> companions_;
};

} // namespace poslab
