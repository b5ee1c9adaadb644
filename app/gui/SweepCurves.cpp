#include "app/gui/SweepCurves.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <QDir>
#include <QFileInfo>
#include <climits>

namespace poslab {

SweepPoint SweepCurves::point(const PositionSummary& row) {
  SweepPoint p;
  p.position = row.position;
  p.n = static_cast<int>(row.n);
  p.correct = static_cast<int>(row.correct);
  p.accuracy = row.accuracy;
  p.ciLow = row.ciLow;
  p.ciHigh = row.ciHigh;
  p.meanAnswerLogprob = row.meanAnswerLogprob;
  return p;
}

SweepCurve SweepCurves::fromSummary(const QString& label, const SweepSummary& summary) {
  SweepCurve c;
  c.label = label;
  for (const auto& row : summary.positions)
    c.points.push_back(point(row));
  if (summary.closedBook) c.closedBook = point(*summary.closedBook);
  if (summary.oracle) c.oracle = point(*summary.oracle);
  return c;
}

std::optional<SweepCurve> SweepCurves::fromRunFolder(const QString& runDir, QString* error) {
  const std::string path = QDir(runDir).filePath("summary.json").toStdString();
  try {
    const nlohmann::json j = JsonFile::readObject(path);
    // A count as a whole number an int holds: a float like 1e300 converted to
    // int is undefined (UBSan in the results_json fuzz build).
    auto whole = [&](const nlohmann::json& r, const char* name, const std::string& where) {
      const nlohmann::json& v = r.at(name);
      if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT_MAX)
        fail(path, where + "." + name, "expected a whole number, found " + v.dump());
      return static_cast<int>(v.get<int64_t>());
    };
    auto row = [&](const nlohmann::json& r, const std::string& where) {
      SweepPoint p;
      try {
        p.position = r.contains("position") ? whole(r, "position", where) : -1;
        p.n = whole(r, "n", where);
        p.correct = whole(r, "correct", where);
        p.accuracy = r.at("accuracy").get<double>();
        p.ciLow = r.at("ci_low").get<double>();
        p.ciHigh = r.at("ci_high").get<double>();
        if (r.contains("mean_answer_logprob") && !r["mean_answer_logprob"].is_null())
          p.meanAnswerLogprob = r["mean_answer_logprob"].get<double>();
      } catch (const nlohmann::json::exception& e) {
        fail(path, where, std::string("missing or wrong field (") + e.what() + ")");
      }
      return p;
    };
    SweepCurve c;
    c.label = QFileInfo(runDir).fileName();
    if (!j.contains("positions") || !j["positions"].is_array()) fail(path, "positions", "expected a list");
    for (size_t i = 0; i < j["positions"].size(); ++i)
      c.points.push_back(row(j["positions"][i], "positions[" + std::to_string(i) + "]"));
    if (const auto s = j.find("settings"); s != j.end() && s->is_object()) {
      const auto task = s->find("task");
      c.hopPairs = task != s->end() && task->is_string() && task->get<std::string>() == "two-hop";
    }
    if (j.contains("baselines") && j["baselines"].is_object()) {
      const auto& b = j["baselines"];
      if (b.contains("closed_book")) c.closedBook = row(b["closed_book"], "baselines.closed_book");
      if (b.contains("oracle")) c.oracle = row(b["oracle"], "baselines.oracle");
    }
    return c;
  } catch (const Error& e) {
    if (error) *error = QString::fromStdString(e.what());
    return std::nullopt;
  }
}

} // namespace poslab
