#include "core/sweep/TaskDefaults.h"

#include "core/prompt/PromptTemplate.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <filesystem>

namespace poslab {

namespace fs = std::filesystem;

TaskDefaults TaskDefaults::forModel(const std::string& modelPath) {
  TaskDefaults d;
  const fs::path dir = fs::is_directory(modelPath) ? fs::path(modelPath) : fs::path(modelPath).parent_path();
  const fs::path file = dir / kFileName;
  if (!fs::exists(file)) return d;
  const std::string name = file.string();
  const nlohmann::json j = JsonFile::readObject(name);
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) fail(name, key, "expected a string");
    return it->get<std::string>();
  };
  auto count = [&](const char* key, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi)
      fail(name, key, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
    return it->get<int64_t>();
  };
  d.task = text("task");
  if (d.task && *d.task != "qa" && *d.task != "kv" && *d.task != "two-hop")
    fail(name, "task", "expected \"qa\", \"kv\" or \"two-hop\", got \"" + *d.task + "\"");
  d.promptTemplate = text("prompt_template");
  if (d.promptTemplate && !PromptTemplate::styleNamed(*d.promptTemplate)) {
    const fs::path t = dir / *d.promptTemplate;
    if (!fs::is_regular_file(t)) fail(name, "prompt_template", "no file " + t.string());
    d.promptTemplate = t.string();
  }
  if (auto k = count("docs", 1, 1 << 20)) d.docs = static_cast<size_t>(*k);
  d.chatTemplate = text("chat_template");
  d.maxNewTokens = count("max_new_tokens", 1, 1 << 20);
  d.description = text("description").value_or("");
  return d;
}

} // namespace poslab
