#pragma once
// The one way PosLab turns (model, data, prompt options) into prompt tokens.
// Sweeps, attention analysis (CLI and Explore), `train` and distill sets all
// resolve their settings, load their examples and build their prompts here, so
// a model is trained on exactly the prompts it is later measured on:
//   1. resolve(): the model's poslab_task.json fills what the caller left open
//      (task, prompt template, documents, chat template, max new tokens);
//   2. loadExamples(): the dataset as every experiment sees it (format,
//      malformed records, random distractors drawn from the whole file, limit);
//   3. factory(): the PromptFactory for the resolved template, chat template,
//      system message and placement.
#include "core/data/DatasetLoader.h"
#include "core/prompt/PromptFactory.h"
#include "core/sweep/SweepSettings.h"

#include <optional>

namespace poslab {

class ExperimentPrompts {
public:
  static SweepSettings resolve(SweepSettings settings);
  // The prompt settings and chat template of (resolved) settings.
  static PromptSettings promptSettings(const SweepSettings& settings, TaskKind kind);
  static std::optional<ChatTemplate> chatTemplate(const SweepSettings& settings);
  // Loads settings.dataPath; random distractors come from the whole file's
  // pool, so the limit applies after them. Refuses a task that differs from
  // settings.task (unless "auto") and an empty result.
  static LoadedDataset loadExamples(const SweepSettings& settings);
  // What loadExamples() depends on, as text: equal keys load equal examples.
  // Every field counts except those known to shape only prompts or runs, so a
  // field added later changes the key until it is shown not to matter.
  static std::string examplesKey(const SweepSettings& settings);
  // The factory every prompt of an experiment with these settings comes from.
  static PromptFactory factory(const Tokenizer& tokenizer, const SweepSettings& settings, TaskKind kind);
};

} // namespace poslab
