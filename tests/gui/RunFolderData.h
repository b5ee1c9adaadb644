#pragma once
// Sweep run folders written from known records (examples.jsonl and the
// summary.json core would write for them), so the run comparison, the depth
// grid and the export bundle are tested on exact, hand-checkable numbers
// without running a model.
#include "core/sweep/SweepRecord.h"
#include "core/sweep/SweepSummary.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace poslab::test {

// scores[example][position] in {0, 1}: one record per (example, position).
inline std::vector<SweepRecord> records(const std::vector<std::vector<int>>& scores) {
  std::vector<SweepRecord> out;
  for (size_t e = 0; e < scores.size(); ++e)
    for (size_t p = 0; p < scores[e].size(); ++p) {
      SweepRecord r;
      r.example = e;
      r.id = std::to_string(e);
      r.id.insert(0, 1, 'q'); // not "q" + ...: GCC 12 warns falsely (-Wrestrict) on that
      r.position = p;
      r.score = scores[e][p];
      r.answerLogprob = -1.0 - static_cast<double>(p);
      out.push_back(r);
    }
  return out;
}

// <workspace>/runs/<id>/ with examples.jsonl and summary.json ("settings.docs" = docs).
inline std::string writeRun(const std::string& workspace, const std::string& id,
                            const std::vector<SweepRecord>& recs, size_t docs) {
  const auto dir = std::filesystem::path(workspace) / "runs" / id;
  std::filesystem::create_directories(dir);
  std::ofstream log(dir / "examples.jsonl");
  for (const auto& r : recs)
    log << r.toJson().dump() << "\n";
  const SweepSummary s = SweepSummary::of(recs);
  nlohmann::ordered_json j;
  j["settings"] = {{"docs", docs}, {"data", "test.jsonl"}};
  j["model"] = {{"path", "test.gguf"}, {"fingerprint", "quick-sha256:test"}};
  j["data"] = {{"path", "test.jsonl"}, {"fingerprint", "sha256:test"}};
  j["positions"] = s.positionsJson();
  std::ofstream(dir / "summary.json") << j.dump(2) << "\n";
  return dir.string();
}

} // namespace poslab::test
