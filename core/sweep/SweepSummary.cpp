#include "core/sweep/SweepSummary.h"

#include "core/sweep/SweepTally.h"
#include "core/util/JsonFile.h"

#include <cstdio>
#include <filesystem>

namespace poslab {

SweepSummary SweepSummary::of(const std::vector<SweepRecord>& records) {
  SweepTally tally;
  for (const SweepRecord& r : records)
    tally.add(r);
  return tally.summary();
}

nlohmann::ordered_json SweepSummary::toJson(const PositionSummary& row, bool withPosition) {
  nlohmann::ordered_json j;
  if (withPosition) j["position"] = row.position;
  j["n"] = row.n;
  j["correct"] = row.correct;
  j["accuracy"] = row.accuracy;
  j["ci_low"] = row.ciLow;
  j["ci_high"] = row.ciHigh;
  j["mean_answer_logprob"] = row.meanAnswerLogprob ? nlohmann::ordered_json(*row.meanAnswerLogprob) : nullptr;
  return j;
}

nlohmann::ordered_json SweepSummary::positionsJson() const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : positions)
    rows.push_back(toJson(row, true));
  return rows;
}

nlohmann::ordered_json SweepSummary::baselinesJson() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (closedBook) j["closed_book"] = toJson(*closedBook, false);
  if (oracle) j["oracle"] = toJson(*oracle, false);
  return j;
}

std::string SweepSummary::csv() const {
  std::string out = "position,n,correct,accuracy,ci_low,ci_high,mean_answer_logprob\n";
  auto line = [&](const std::string& name, const PositionSummary& r) {
    char buf[256];
    std::snprintf(buf, sizeof buf, ",%zu,%zu,%.6f,%.6f,%.6f,", r.n, r.correct, r.accuracy, r.ciLow, r.ciHigh);
    out += name + buf;
    if (r.meanAnswerLogprob) {
      std::snprintf(buf, sizeof buf, "%.6f", *r.meanAnswerLogprob);
      out += buf;
    }
    out += "\n";
  };
  for (const auto& r : positions)
    line(std::to_string(r.position), r);
  if (closedBook) line("closed_book", *closedBook);
  if (oracle) line("oracle", *oracle);
  return out;
}

bool SweepSummary::finishedIn(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "summary.json").string();
  return JsonFile::valueOr(JsonFile::readObjectIfPresent(path), "status", std::string(), path) == "finished";
}

} // namespace poslab
