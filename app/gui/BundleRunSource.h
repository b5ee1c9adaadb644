#pragma once
// A sweep run folder as the export bundle's manifest cites it (BundleSources):
// the settings, model and data its summary.json records, with their
// fingerprints, so the figure can be regenerated. Qt Core only: the fuzz
// target results_json reads summary.json through it.
#include <QJsonObject>
#include <QString>
#include <nlohmann/json.hpp>

namespace poslab {

class BundleRunSource {
public:
  // {"run": the folder's name, "settings", "model", "data"} as summary.json has
  // them, or {"run", "error": one line naming the file} when it cannot be
  // read. Never throws: a bundle cites what it can.
  static QJsonObject read(const QString& runDir);
  // The same JSON object in Qt's types (a value that is not an object is {}).
  static QJsonObject toQt(const nlohmann::json& j);
};

} // namespace poslab
