#pragma once
// poslab-cli make-demo: builds the bundled demo from nothing but this code and
// a seed (issue 5). Into `outDir` it writes
//   train.jsonl.gz, heldout.jsonl.gz   the synthetic task (PosLab JSONL)
//   poslab-demo-llama/                a Hugging Face folder: config.json,
//     model.safetensors, tokenizer.model, tokenizer_config.json,
//     generation_config.json, prompt.txt, poslab_task.json, README.md
// so that `poslab-cli sweep --model outDir/poslab-demo-llama --data outDir/heldout.jsonl.gz`
// needs no other option, and training/ (one core/train run folder per stage:
// events.jsonl, checkpoints/). Steps: data -> tokenizer -> init -> train ->
// write -> probe the positional curve on held-out examples. A build that was
// stopped (cancel flag, or killed) continues from the stages' checkpoints when
// run again on the same folder with the same recipe: data and tokenizer are
// rebuilt byte-identical from the seed.
#include "core/demo/DemoRecipe.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace poslab {

struct DemoBuildResult {
  std::string modelDir;
  std::vector<double> probeAccuracy; // per gold slot, DemoPositionProbe on probeExamples held-out examples
  size_t probeExamples = 0;
  double trainSeconds = 0;
  double totalSeconds = 0;
  double finalLoss = 0;   // mean of the last 50 steps' losses
  bool cancelled = false; // stopped between steps; a checkpoint was written
};

class DemoBuilder {
public:
  // The model folder's name: the GUI and the CLI show a model by its folder name.
  static constexpr const char* kModelFolder = "poslab-demo-llama";
  static constexpr const char* kTwoHopModelFolder = "poslab-demo-two-hop";
  using Log = std::function<void(const std::string&)>;

  explicit DemoBuilder(DemoRecipe recipe) : recipe_(std::move(recipe)) {}

  // `probeExamples` held-out examples are probed at every slot (0: skip the probe).
  // `cancel` (may be null) is checked between training steps.
  DemoBuildResult build(const std::string& outDir, const Log& log, size_t probeExamples = 100,
                        const std::atomic<bool>* cancel = nullptr) const;

private:
  DemoRecipe recipe_;
};

} // namespace poslab
