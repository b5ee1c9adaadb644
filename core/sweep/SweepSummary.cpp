#include "core/sweep/SweepSummary.h"

#include "core/eval/PositionTally.h"

#include <cstdio>
#include <map>
#include <set>

namespace poslab {

SweepSummary SweepSummary::of(const std::vector<SweepRecord>& records) {
  SweepSummary s;
  std::map<size_t, PositionTally> byPosition;
  PositionTally closed, oracle;
  bool anyClosed = false, anyOracle = false;
  std::set<size_t> examples;
  for (const SweepRecord& r : records) {
    if (r.position) {
      byPosition[*r.position].add(r.score, r.answerLogprob);
    } else if (r.baseline == "closed_book") {
      closed.add(r.score, r.answerLogprob);
      anyClosed = true;
    } else {
      oracle.add(r.score, r.answerLogprob);
      anyOracle = true;
    }
    examples.insert(r.example);
    s.promptTokens += r.promptTokens;
    s.prefillTokens += r.prefillTokens;
    s.decodeTokens += r.decodeTokens;
    s.recordSeconds += r.timeSeconds;
  }
  for (const auto& [position, tally] : byPosition)
    s.positions.push_back(tally.summary(static_cast<int>(position)));
  if (anyClosed) s.closedBook = closed.summary(-1);
  if (anyOracle) s.oracle = oracle.summary(-1);
  s.records = records.size();
  s.examples = examples.size();
  return s;
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

} // namespace poslab
