#pragma once
// A model folder's `poslab_task.json`: the task and prompt the model was made
// for (the bundled demo has one), so a sweep needs no options to run it:
//   {"task": "qa", "prompt_template": "prompt.txt", "docs": 20,
//    "chat_template": "none", "max_new_tokens": 16, "description": "..."}
// prompt_template is a built-in name or a file relative to the model folder.
// Every field is optional; options given on the command line win.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace poslab {

struct TaskDefaults {
  std::optional<std::string> task;
  std::optional<std::string> promptTemplate; // a built-in name, or an absolute/CWD-relative file path
  std::optional<size_t> docs;
  std::optional<std::string> chatTemplate;
  std::optional<int64_t> maxNewTokens;
  std::string description;

  static constexpr const char* kFileName = "poslab_task.json";
  // The defaults of a model (folder or .gguf); empty when it has no poslab_task.json.
  // Throws poslab::Error naming the file and field when the file is malformed.
  static TaskDefaults forModel(const std::string& modelPath);
};

} // namespace poslab
