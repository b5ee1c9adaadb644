#include "core/distill/DistillSet.h"

#include "core/data/GzipLineReader.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>

namespace poslab {

DistillSet DistillSet::read(const std::string& file) {
  if (!std::filesystem::is_regular_file(file)) fail(file, "", "no such file");
  DistillSet set;
  set.path = file;
  GzipLineReader in(file);
  std::string line;
  while (in.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = file + ": line " + std::to_string(in.lineNumber());
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      fail(where, "", std::string("not valid JSON (") + e.what() + ")");
    }
    set.instances.push_back(DistillInstance::fromJson(j, where));
    set.lines.push_back(in.lineNumber());
  }
  if (set.instances.empty()) fail(file, "", "holds no instances");
  return set;
}

void DistillSet::write(const std::string& file) const {
  std::string text;
  for (const DistillInstance& d : instances)
    text += d.toJson().dump() + "\n";
  AtomicFile::writeText(file, text);
}

std::string DistillSet::where(size_t i) const {
  if (!path.empty() && i < lines.size() && lines[i] > 0) return path + ": line " + std::to_string(lines[i]);
  return "distill set: instance " + std::to_string(i);
}

void DistillSet::check(int64_t vocabSize, int64_t contextLength) const {
  for (size_t i = 0; i < instances.size(); ++i) {
    const DistillInstance& d = instances[i];
    auto ids = [&](const std::vector<int32_t>& v, const char* field) {
      for (int32_t id : v)
        if (id >= vocabSize)
          fail(where(i), field,
               "token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                   std::to_string(vocabSize));
    };
    ids(d.teacherPromptIds, "teacher_prompt_ids");
    ids(d.studentPromptIds, "student_prompt_ids");
    ids(d.responseIds, "response_ids");
    auto fits = [&](const std::vector<int32_t>& prompt, const char* field) {
      const auto n = static_cast<int64_t>(prompt.size() + d.responseIds.size());
      if (contextLength > 0 && n > contextLength)
        fail(where(i), field,
             "the prompt (" + std::to_string(prompt.size()) + " tokens) and the response (" +
                 std::to_string(d.responseIds.size()) + ") exceed the model's context of " +
                 std::to_string(contextLength) + " tokens");
    };
    fits(d.studentPromptIds, "student_prompt_ids");
    if (d.isKl()) fits(d.teacherPromptIds, "teacher_prompt_ids");
  }
}

size_t DistillSet::count(InstanceKind kind) const {
  return static_cast<size_t>(std::count_if(instances.begin(), instances.end(),
                                           [&](const DistillInstance& d) { return d.kind == kind; }));
}

} // namespace poslab
