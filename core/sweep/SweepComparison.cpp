#include "core/sweep/SweepComparison.h"

#include "core/sweep/ExamplesLog.h"

#include <filesystem>
#include <map>

namespace poslab {

namespace {

// Records pair by the example's own id (stable across --limit and reordering).
std::string pairKey(const SweepRecord& r) {
  return r.id + "@" + (r.position ? std::to_string(*r.position) : r.baseline);
}

// Positions first (ascending), then the baselines.
std::pair<int, std::string> rowKey(const SweepRecord& r) {
  return r.position ? std::make_pair(static_cast<int>(*r.position), std::string())
                    : std::make_pair(1 << 30, r.baseline);
}

} // namespace

SweepComparison SweepComparison::of(const std::vector<SweepRecord>& a, const std::vector<SweepRecord>& b) {
  std::map<std::string, const SweepRecord*> inB;
  for (const auto& r : b)
    inB[pairKey(r)] = &r;
  std::map<std::pair<int, std::string>, std::pair<std::vector<double>, std::vector<double>>> scores;
  std::map<std::pair<int, std::string>, const SweepRecord*> sample;
  SweepComparison out;
  size_t matched = 0;
  for (const auto& r : a) {
    auto it = inB.find(pairKey(r));
    if (it == inB.end()) {
      ++out.onlyInA;
      continue;
    }
    ++matched;
    auto& [sa, sb] = scores[rowKey(r)];
    sa.push_back(r.score);
    sb.push_back(it->second->score);
    sample[rowKey(r)] = &r;
  }
  out.onlyInB = b.size() - matched;
  for (const auto& [key, pair] : scores) {
    PositionComparison row;
    row.position = sample[key]->position;
    row.baseline = sample[key]->baseline;
    row.pairs = pair.first.size();
    auto accuracy = [](const std::vector<double>& v) {
      size_t right = 0;
      for (double s : v)
        right += s > 0.5;
      return v.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(v.size());
    };
    row.accuracyA = accuracy(pair.first);
    row.accuracyB = accuracy(pair.second);
    row.test = McNemarTest::compare(pair.first, pair.second);
    out.rows.push_back(row);
  }
  return out;
}

SweepComparison SweepComparison::ofRuns(const std::string& dirA, const std::string& dirB) {
  namespace fs = std::filesystem;
  return of(ExamplesLog::read((fs::path(dirA) / "examples.jsonl").string()),
            ExamplesLog::read((fs::path(dirB) / "examples.jsonl").string()));
}

nlohmann::ordered_json SweepComparison::toJson() const {
  nlohmann::ordered_json rowsJson = nlohmann::ordered_json::array();
  for (const auto& r : rows) {
    nlohmann::ordered_json j;
    j["position"] = r.position ? nlohmann::ordered_json(*r.position) : nullptr;
    if (!r.baseline.empty()) j["baseline"] = r.baseline;
    j["pairs"] = r.pairs;
    j["accuracy_a"] = r.accuracyA;
    j["accuracy_b"] = r.accuracyB;
    j["a_right_b_wrong"] = r.test.b;
    j["a_wrong_b_right"] = r.test.c;
    j["p_value"] = r.test.pValue;
    rowsJson.push_back(j);
  }
  nlohmann::ordered_json j;
  j["test"] = "exact McNemar, two-sided";
  j["rows"] = rowsJson;
  j["unpaired"] = {{"only_in_a", onlyInA}, {"only_in_b", onlyInB}};
  return j;
}

} // namespace poslab
