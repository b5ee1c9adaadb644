#include "core/sweep/ExperimentPrompts.h"

#include "core/data/RandomDistractors.h"
#include "core/engine/ChatTemplateLoader.h"
#include "core/sweep/TaskDefaults.h"
#include "core/util/Error.h"

namespace poslab {

SweepSettings ExperimentPrompts::resolve(SweepSettings s) {
  // A model made from a config alone (train --init) has no folder to read defaults from.
  const TaskDefaults d = s.modelPath.empty() ? TaskDefaults() : TaskDefaults::forModel(s.modelPath);
  // "auto" is the data's task when its first record can be read (a model made
  // for QA may be measured on two-hop data), else the model's.
  if (s.task == "auto" && !s.dataPath.empty()) {
    try {
      DatasetLoadOptions peek;
      peek.format = parseDataFormat(s.dataFormat, "--format");
      peek.skipBad = s.skipBad;
      peek.limit = 1;
      const LoadedDataset first = DatasetLoader::load(s.dataPath, peek);
      if (!first.examples.empty()) s.task = taskKindName(first.examples.front().kind);
    } catch (const Error&) {
      // loadExamples() reports a broken file with its line and field.
    }
  }
  if (s.task == "auto" && d.task) s.task = *d.task;
  // The model's prompt and answer length are for its own task only.
  const bool modelsTask = !d.task || s.task == "auto" || s.task == *d.task;
  if (s.promptTemplate.empty() && d.promptTemplate && modelsTask) s.promptTemplate = *d.promptTemplate;
  if (s.docs == 0 && d.docs) s.docs = *d.docs;
  if (s.chatTemplate == "auto" && d.chatTemplate) s.chatTemplate = *d.chatTemplate;
  if (s.maxNewTokens <= 0) s.maxNewTokens = modelsTask && d.maxNewTokens ? *d.maxNewTokens : 100;
  return s;
}

// A built-in template by name (PromptTemplate::names()), else a user template file.
PromptSettings ExperimentPrompts::promptSettings(const SweepSettings& s, TaskKind kind) {
  PromptSettings p;
  const std::string& t = s.promptTemplate;
  if (t.empty())
    p.style = kind == TaskKind::Qa   ? PromptStyle::Qa
              : kind == TaskKind::Kv ? PromptStyle::Kv
                                     : PromptStyle::Pos2DistillCot;
  else if (const auto style = PromptTemplate::styleNamed(t))
    p.style = *style;
  else
    p.templateFile = t;
  p.system = s.system;
  p.placement.docs = s.docs;
  p.placement.shuffleSeed = s.shuffleSeed;
  return p;
}

std::optional<ChatTemplate> ExperimentPrompts::chatTemplate(const SweepSettings& s) {
  if (s.chatTemplate == "none") return std::nullopt;
  if (s.chatTemplate == "auto" || s.chatTemplate.empty()) {
    if (s.modelPath.empty() || ChatTemplateLoader::templateText(s.modelPath).empty())
      return std::nullopt; // a base model
    return ChatTemplateLoader::forModel(s.modelPath);
  }
  return ChatTemplate::fromName(s.chatTemplate);
}

LoadedDataset ExperimentPrompts::loadExamples(const SweepSettings& s) {
  DatasetLoadOptions load;
  load.format = parseDataFormat(s.dataFormat, "--format");
  load.skipBad = s.skipBad;
  load.limit = s.randomDistractors > 0 ? 0 : s.limit;
  LoadedDataset data = DatasetLoader::load(s.dataPath, load);
  auto& examples = data.examples;
  if (s.randomDistractors > 0) {
    examples = RandomDistractors({s.randomDistractors, s.distractorSeed, true}).apply(examples);
    if (s.limit > 0 && examples.size() > s.limit) examples.resize(s.limit);
  }
  if (examples.empty()) fail(s.dataPath, "", "no examples");
  // One task per experiment: its template, stop rule and metric follow the task.
  for (const auto& ex : examples)
    if (ex.kind != examples.front().kind)
      fail(s.dataPath, "line " + std::to_string(ex.line),
           std::string("is a ") + taskKindName(ex.kind) + " example after " +
               taskKindName(examples.front().kind) +
               " ones; a file holds one task (two-hop: two gold documents in every record)");
  if (s.task != "auto")
    for (const auto& ex : examples)
      if (taskKindName(ex.kind) != s.task)
        fail(s.dataPath, "example " + std::to_string(ex.index),
             std::string("is a ") + taskKindName(ex.kind) + " example but the task is " + s.task);
  return data;
}

std::string ExperimentPrompts::examplesKey(const SweepSettings& s) {
  const SweepSettings none;
  SweepSettings k = s;
  k.modelPath = none.modelPath;
  k.adapterPath = none.adapterPath;
  k.mergeAdapter = none.mergeAdapter;
  k.docs = none.docs; // placement picks documents from an example, it does not change it
  k.positions = none.positions;
  k.shuffleSeed = none.shuffleSeed;
  k.promptTemplate = none.promptTemplate;
  k.chatTemplate = none.chatTemplate;
  k.system = none.system;
  k.maxNewTokens = none.maxNewTokens;
  k.closedBook = none.closedBook;
  k.oracle = none.oracle;
  k.prefixCache = none.prefixCache;
  k.batch = none.batch;
  k.dtype = none.dtype;
  k.device = none.device;
  k.threads = none.threads;
  return k.toJson().dump();
}

PromptFactory ExperimentPrompts::factory(const Tokenizer& tokenizer, const SweepSettings& s, TaskKind kind) {
  return PromptFactory(tokenizer, chatTemplate(s), promptSettings(s, kind));
}

} // namespace poslab
