#include "core/engine/ChatTemplateLoader.h"

#include "core/chat/ChatTemplateDetector.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"
#include "core/weights/GgufFile.h"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace poslab {

namespace fs = std::filesystem;

std::string ChatTemplateLoader::templateText(const std::string& modelPath) {
  const fs::path path(modelPath);
  if (fs::is_regular_file(path) && path.extension() == ".gguf") {
    GgufFile g(modelPath);
    return g.has("tokenizer.chat_template") ? g.string("tokenizer.chat_template") : std::string();
  }
  const fs::path config = path / "tokenizer_config.json";
  const nlohmann::json j = JsonFile::readObjectIfPresent(config.string());
  auto it = j.find("chat_template");
  if (it == j.end() || it->is_null()) return {};
  if (it->is_string()) return it->get<std::string>();
  // Newer configs hold a list of named templates; "default" is the chat one.
  if (it->is_array())
    for (const auto& t : *it)
      if (t.is_object() && t.contains("name") && t["name"] == "default" && t.contains("template") &&
          t["template"].is_string())
        return t["template"].get<std::string>();
  fail(config.string(), "chat_template", "expected a string or a list with a \"default\" template");
}

ChatTemplate ChatTemplateLoader::forModel(const std::string& modelPath, const std::string& overrideName) {
  const std::string text = templateText(modelPath);
  if (text.empty() && overrideName.empty()) {
    std::string names;
    for (const std::string& n : ChatTemplate::familyNames())
      names += (names.empty() ? "" : ", ") + n;
    fail(modelPath, "chat_template", "the model has none; name one with --chat-template (" + names + ")");
  }
  return ChatTemplateDetector::choose(text, overrideName);
}

} // namespace poslab
