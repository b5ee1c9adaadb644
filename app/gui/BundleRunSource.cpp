#include "app/gui/BundleRunSource.h"

#include "core/util/JsonFile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace poslab {

QJsonObject BundleRunSource::toQt(const nlohmann::json& j) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

QJsonObject BundleRunSource::read(const QString& runDir) {
  QJsonObject out{{"run", QFileInfo(runDir).fileName()}};
  try {
    const nlohmann::json j = JsonFile::readObject(QDir(runDir).filePath("summary.json").toStdString());
    for (const char* key : {"settings", "model", "data"}) {
      const auto it = j.find(key);
      if (it == j.end()) continue;
      // Wrapped in an array, a value of any type (a summary written by hand may
      // hold a string here) comes across as it is.
      const std::string wrapped = nlohmann::json::array({*it}).dump();
      out[key] = QJsonDocument::fromJson(QByteArray::fromStdString(wrapped)).array().at(0);
    }
  } catch (const std::exception& e) { // poslab::Error, or nlohmann's on text it cannot dump
    out["error"] = QString::fromStdString(e.what());
  }
  return out;
}

} // namespace poslab
