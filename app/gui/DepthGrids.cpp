#include "app/gui/DepthGrids.h"

#include "app/gui/SweepCurves.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <algorithm>
#include <climits>
#include <map>

namespace poslab {

namespace {

const QRegularExpression& studyRunName() {
  static const QRegularExpression re("^(depth-.+)-k(\\d+)$");
  return re;
}

} // namespace

std::optional<int> DepthGrids::documentCount(const QString& runDir, QString* error) {
  const std::string path = QDir(runDir).filePath("summary.json").toStdString();
  try {
    const nlohmann::json j = JsonFile::readObject(path);
    const nlohmann::json settings = j.value("settings", nlohmann::json::object());
    // Counts and positions past INT_MAX, or floats, would overflow or convert
    // with undefined behaviour (UBSan in the results_json fuzz build).
    for (const char* key : {"docs", "random_distractors"})
      if (settings.contains(key) && settings[key].is_number_unsigned() && settings[key].get<size_t>() > 0) {
        if (settings[key].get<size_t>() > INT_MAX)
          fail(path, std::string("settings.") + key, settings[key].dump() + " is out of range");
        return static_cast<int>(settings[key].get<size_t>());
      }
    if (!j.contains("positions") || !j["positions"].is_array() || j["positions"].empty())
      fail(path, "positions", "no positions, so the number of documents is unknown");
    int most = 0;
    for (size_t i = 0; i < j["positions"].size(); ++i) {
      const nlohmann::json& row = j["positions"][i];
      if (!row.is_object()) fail(path, "positions[" + std::to_string(i) + "]", "expected an object");
      if (!row.contains("position")) continue; // counts as position 0
      const nlohmann::json& position = row.at("position");
      if (!position.is_number_integer() || position.get<int64_t>() < 0 || position.get<int64_t>() >= INT_MAX)
        fail(path, "positions[" + std::to_string(i) + "].position",
             "expected a document index, found " + position.dump());
      most = std::max(most, static_cast<int>(position.get<int64_t>()) + 1);
    }
    return std::max(most, 1);
  } catch (const Error& e) {
    if (error) *error = QString::fromStdString(e.what());
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    if (error) *error = QString("%1: %2").arg(QString::fromStdString(path), e.what());
    return std::nullopt;
  }
}

std::optional<DepthGrid> DepthGrids::fromRunFolders(const QStringList& runDirs, QString* error) {
  std::map<int, SweepCurve> byCount;
  for (const QString& dir : runDirs) {
    const std::optional<int> count = documentCount(dir, error);
    if (!count) return std::nullopt;
    std::optional<SweepCurve> curve = SweepCurves::fromRunFolder(dir, error);
    if (!curve) return std::nullopt;
    byCount[*count] = *curve;
  }
  if (byCount.empty()) {
    if (error) *error = QObject::tr("no runs in the depth study");
    return std::nullopt;
  }
  DepthGrid grid;
  for (const auto& [count, curve] : byCount) {
    grid.documentCounts << count;
    grid.maxPositions = std::max(grid.maxPositions, count);
  }
  grid.cells.resize(grid.documentCounts.size() * grid.maxPositions);
  int column = 0;
  for (const auto& [count, curve] : byCount) {
    for (const SweepPoint& p : curve.points) {
      if (p.position < 0 || p.position >= count) continue;
      DepthCell& cell = grid.cells[column * grid.maxPositions + p.position];
      cell.n = p.n;
      cell.correct = p.correct;
      cell.accuracy = p.accuracy;
    }
    ++column;
  }
  return grid;
}

QStringList DepthGrids::studies(const QString& workspace) {
  QStringList ids;
  const QDir dir(QDir(workspace).filePath("runs"));
  for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed)) {
    const auto match = studyRunName().match(name);
    if (match.hasMatch() && !ids.contains(match.captured(1)) &&
        QFileInfo(dir.filePath(name + "/summary.json")).isFile())
      ids << match.captured(1);
  }
  return ids;
}

QStringList DepthGrids::studyRuns(const QString& workspace, const QString& study) {
  QStringList runs;
  const QDir dir(QDir(workspace).filePath("runs"));
  for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    const auto match = studyRunName().match(name);
    if (match.hasMatch() && match.captured(1) == study &&
        QFileInfo(dir.filePath(name + "/summary.json")).isFile())
      runs << dir.filePath(name);
  }
  return runs;
}

QString DepthGrids::runDir(const QString& workspace, const QString& study, int documents) {
  return QDir(workspace).filePath(QString("runs/%1-k%2").arg(study).arg(documents));
}

} // namespace poslab
