#pragma once
// `poslab-cli export RUN|CHECKPOINT --format hf|peft|merged --out DIR`: a
// trained model as the ecosystem's own folders.
//   hf      a full fine-tune as a clean Hugging Face folder (config.json,
//           model.safetensors, tokenizer files; no optimizer or trainer state)
//   peft    a LoRA run's adapter as a PEFT folder (PeftModel.from_pretrained
//           loads it), base_model_name_or_path the base as the run was given it
//   merged  a LoRA adapter merged into its base (W + s·B·A) as a Hugging Face folder
// Every format adds poslab.json: the run's settings, fingerprints and step.
// A run exports its final model (<run>/model) unless a step is asked for
// (<run>/checkpoints/step-N). The folder is written beside --out and renamed
// into place; an existing non-empty --out is refused, so nothing is overwritten.
#include <cstdint>
#include <optional>
#include <string>

namespace poslab {

struct ExportRequest {
  std::string source;          // a run folder, a checkpoint folder or a model/adapter folder
  std::string format;          // "hf" | "peft" | "merged"
  std::string out;             // new or empty folder
  std::optional<int64_t> step; // a run's checkpoint instead of its final model
  std::string dtype = "f32";   // weights of hf/merged: f32 | bf16 | f16 (peft: the adapter's, f32 default)
};

struct ExportResult {
  std::string folder;  // what was exported (the model or checkpoint folder)
  std::string base;    // a LoRA source's base model ("" for a full model)
  int64_t step = -1;   // the checkpoint's step when known
  int64_t tensors = 0; // tensors written
};

class ModelExporter {
public:
  // Throws poslab::Error naming the file or option at fault.
  static ExportResult run(const ExportRequest& request);
};

} // namespace poslab
