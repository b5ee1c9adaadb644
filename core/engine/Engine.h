#pragma once
// The engine's face (DESIGN.md): what app/ calls. Plain C++ types in and out;
// tensors stay inside core/. Errors are thrown as poslab::Error (one line,
// naming the file and the field) and caught at the worker/main() boundary.
#include "core/engine/ModelInfo.h"
#include "core/model/LoadControl.h"
#include "core/tokenizer/Tokenizer.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace poslab {

class LlamaModel;

struct LoadOptions {
  std::string device = "cpu"; // "cpu" | "cuda" | "cuda:N"
  std::string dtype = "f32";  // "f32" | "bf16" | "f16" (CUDA only)
  int threads = 0;            // intra-op threads; 0 = every core
  // A PEFT LoRA adapter folder applied on top of the model (core/lora); empty =
  // none. A MODEL path that is itself an adapter folder loads the base it names.
  std::string adapter;
  bool mergeAdapter = false; // merge into the weights instead of applying unmerged
};

// What a MODEL argument and --adapter mean: the base model's path and the
// adapter folder (empty: none). A MODEL that is itself an adapter folder (an
// adapter_config.json and no config.json) means the base it names plus it.
struct ModelPaths {
  std::string base, adapter;
  static ModelPaths resolve(const std::string& model, const std::string& adapter);
};

struct GenerateRequest {
  std::vector<int32_t> promptIds;
  int64_t maxNewTokens = 100;
  std::vector<std::string> stopStrings;
  bool stopAtEos = true;
};

struct GenerateResult {
  std::vector<int32_t> ids; // generated ids only
  std::string text;         // decoded (cut before a stop string); empty without a tokenizer
  std::string stopReason;   // "eos" | "stop-string" | "length" | "cancelled"
  int64_t promptTokens = 0;
  double prefillSeconds = 0;
  double decodeSeconds = 0;
};

class Engine {
public:
  // Reads config and tokenizer only; no weights are loaded (for a memory
  // estimate before loading).
  static ModelInfo inspect(const std::string& path, const LoadOptions& options = {});
  // Loads weights and tokenizer. control: progress in stored bytes and a cancel
  // flag checked before each tensor and before the tokenizer. Returns nullptr
  // (never throws for it) when the flag is raised: at once if it already was,
  // else at the next tensor, with everything loaded so far freed.
  static std::unique_ptr<Engine> open(const std::string& path, const LoadOptions& options = {},
                                      const LoadControl& control = {});
  ~Engine();

  const ModelInfo& info() const;
  const Tokenizer* tokenizer() const;        // nullptr when the model has none
  const Tokenizer& requireTokenizer() const; // throws naming the model path

  // Text -> ids with the model's own BOS rule unless overridden.
  Encoding tokenize(const std::string& text, bool addBos) const;

  // Logits of every position for one sequence: row-major [ids.size(), vocab] fp32.
  std::vector<float> logits(const std::vector<int32_t>& ids) const;

  GenerateResult generate(const GenerateRequest& request, const std::function<void(int32_t id)>& onToken = {},
                          const std::atomic<bool>* cancel = nullptr) const;

  // Query rows per attention block (default defaultQueryBlock()): bounds the
  // [heads, rows, keys] scores a long prompt holds at once. The attention
  // probabilities do not change; in bf16 the logits may, by rounding (the GEMMs
  // see other shapes).
  void setQueryBlock(int64_t rows);
  static int64_t defaultQueryBlock();

  // For other core/ subsystems (sweeps, attention, training). Not for app/.
  LlamaModel& model() const;

private:
  Engine();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `threads` cores for everything the engine runs (0 = every core: Debian's
// LibTorch starts with one): LibTorch's intra-op pool (OpenMP), OpenBLAS's own
// pool, and, on the first call only, the inter-op pool (LibTorch cannot resize
// it once it exists). Returns the count set.
int configureThreads(int threads);

} // namespace poslab
