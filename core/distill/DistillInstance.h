#pragma once
// One line of a distill set (DESIGN.md "Distill sets", METHOD.md §2b): what the
// student is trained on. KL instances (activation, anchor) compare the frozen
// teacher under teacherPromptIds with the student under studentPromptIds on the
// same response; sequence instances (R2, SFT, SeqKD) are cross-entropy on the
// response under the student prompt.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace poslab {

enum class InstanceKind { Activation, Anchor, Sequence };
const char* instanceKindName(InstanceKind kind); // "activation" | "anchor" | "sequence"

struct DistillInstance {
  int64_t question = 0;
  InstanceKind kind = InstanceKind::Activation;
  std::vector<int64_t> goldPosition;     // 0-based in the student prompt; R2: {pre, post}
  std::vector<int32_t> teacherPromptIds; // KL instances only
  std::vector<int32_t> studentPromptIds;
  std::vector<int32_t> responseIds;
  nlohmann::json extra = nlohmann::json::object(); // human-readable fields (response_text, ...), kept as is

  bool isKl() const { return kind != InstanceKind::Sequence; }
  // The bin Pos2Distill's weighting groups by: the (first) gold position.
  int64_t bin() const { return goldPosition.empty() ? -1 : goldPosition.front(); }

  nlohmann::json toJson() const;
  // Checks types and presence; `where` is "<file>: line N" for errors.
  static DistillInstance fromJson(const nlohmann::json& j, const std::string& where);
};

} // namespace poslab
