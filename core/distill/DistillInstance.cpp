#include "core/distill/DistillInstance.h"

#include "core/util/Error.h"

namespace poslab {

namespace {

const std::vector<std::string>& requiredFields() {
  static const std::vector<std::string> f = {
      "question", "kind", "gold_position", "teacher_prompt_ids", "student_prompt_ids", "response_ids"};
  return f;
}

std::vector<int32_t> idList(const nlohmann::json& j, const char* field, const std::string& where) {
  if (!j.is_array()) fail(where, field, "expected an array of token ids");
  std::vector<int32_t> out;
  out.reserve(j.size());
  for (const auto& v : j) {
    if (!v.is_number_integer()) fail(where, field, "holds " + v.dump() + ", not a token id");
    const int64_t id = v.get<int64_t>();
    if (id < 0 || id > INT32_MAX) fail(where, field, "holds " + std::to_string(id) + ", not a token id");
    out.push_back(static_cast<int32_t>(id));
  }
  return out;
}

} // namespace

const char* instanceKindName(InstanceKind kind) {
  switch (kind) {
  case InstanceKind::Activation:
    return "activation";
  case InstanceKind::Anchor:
    return "anchor";
  case InstanceKind::Sequence:
    break;
  }
  return "sequence";
}

nlohmann::json DistillInstance::toJson() const {
  nlohmann::json j = nlohmann::json::object();
  j["question"] = question;
  j["kind"] = instanceKindName(kind);
  if (goldPosition.size() == 1)
    j["gold_position"] = goldPosition.front();
  else
    j["gold_position"] = goldPosition;
  if (isKl()) j["teacher_prompt_ids"] = teacherPromptIds;
  j["student_prompt_ids"] = studentPromptIds;
  j["response_ids"] = responseIds;
  for (auto it = extra.begin(); it != extra.end(); ++it)
    if (!j.contains(it.key())) j[it.key()] = it.value();
  return j;
}

DistillInstance DistillInstance::fromJson(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) fail(where, "", "expected a JSON object");
  DistillInstance d;
  const auto q = j.find("question");
  if (q == j.end()) fail(where, "question", "missing");
  if (!q->is_number_integer() || q->get<int64_t>() < 0) fail(where, "question", "expected an integer >= 0");
  d.question = q->get<int64_t>();

  const auto kind = j.find("kind");
  if (kind == j.end()) fail(where, "kind", "missing");
  const std::string k = kind->is_string() ? kind->get<std::string>() : kind->dump();
  if (k == "activation")
    d.kind = InstanceKind::Activation;
  else if (k == "anchor")
    d.kind = InstanceKind::Anchor;
  else if (k == "sequence")
    d.kind = InstanceKind::Sequence;
  else
    fail(where, "kind", "is " + k + "; expected \"activation\", \"anchor\" or \"sequence\"");

  const auto gold = j.find("gold_position");
  if (gold == j.end()) fail(where, "gold_position", "missing");
  auto position = [&](const nlohmann::json& v) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0)
      fail(where, "gold_position", "holds " + v.dump() + ", not a 0-based position");
    return v.get<int64_t>();
  };
  if (gold->is_array()) {
    if (gold->empty() || gold->size() > 2)
      fail(where, "gold_position", "expected one position or [pre, post]");
    for (const auto& v : *gold)
      d.goldPosition.push_back(position(v));
  } else {
    d.goldPosition.push_back(position(*gold));
  }

  if (d.isKl()) {
    const auto t = j.find("teacher_prompt_ids");
    if (t == j.end()) fail(where, "teacher_prompt_ids", "missing (a KL instance needs the teacher's prompt)");
    d.teacherPromptIds = idList(*t, "teacher_prompt_ids", where);
    if (d.teacherPromptIds.empty()) fail(where, "teacher_prompt_ids", "is empty");
  }
  const auto s = j.find("student_prompt_ids");
  if (s == j.end()) fail(where, "student_prompt_ids", "missing");
  d.studentPromptIds = idList(*s, "student_prompt_ids", where);
  if (d.studentPromptIds.empty()) fail(where, "student_prompt_ids", "is empty");
  const auto r = j.find("response_ids");
  if (r == j.end()) fail(where, "response_ids", "missing");
  d.responseIds = idList(*r, "response_ids", where);
  if (d.responseIds.empty()) fail(where, "response_ids", "is empty: nothing to train on");
  if (d.kind == InstanceKind::Anchor && d.studentPromptIds != d.teacherPromptIds)
    fail(where, "student_prompt_ids", "an anchor's student prompt must equal its teacher prompt");

  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(requiredFields().begin(), requiredFields().end(), it.key()) == requiredFields().end())
      d.extra[it.key()] = it.value();
  return d;
}

} // namespace poslab
