#include "app/gui/AggregateStore.h"

#include "app/gui/WorkspaceId.h"
#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <cmath>
#include <limits>

namespace poslab {

namespace {

using nlohmann::json;

const char* const kFileName = "aggregate.json";

json number(float x) {
  return std::isnan(x) ? json(nullptr) : json(x); // NaN (no example at that position) is not JSON
}

// A gold-position-major matrix [rows][documents] as nested arrays.
json rows(const QVector<float>& values, qsizetype first, int count, int documents) {
  json out = json::array();
  for (int r = 0; r < count; ++r) {
    json row = json::array();
    for (int d = 0; d < documents; ++d)
      row.push_back(number(values[first + static_cast<qsizetype>(r) * documents + d]));
    out.push_back(std::move(row));
  }
  return out;
}

std::string utc(const QDateTime& t) {
  return t.toUTC().toString(Qt::ISODateWithMs).toStdString();
}

// Reading: each accessor fails with "<file>: <field>: <what is wrong>".
class Reader {
public:
  Reader(std::string file, const json& root) : file_(std::move(file)), root_(root) {}

  const json& at(const json& j, const std::string& field, const char* name) const {
    if (!j.is_object() || !j.contains(name)) fail(file_, field, "missing");
    return j[name];
  }
  std::string text(const json& j, const std::string& field, const char* name) const {
    const json& v = at(j, field, name);
    if (!v.is_string()) fail(file_, field, "expected a string");
    return v.get<std::string>();
  }
  int count(const json& j, const std::string& field, const char* name, int least) const {
    const json& v = at(j, field, name);
    if (!v.is_number_integer() || v.get<int64_t>() < least || v.get<int64_t>() > 1'000'000)
      fail(file_, field, "expected a whole number from " + std::to_string(least));
    return static_cast<int>(v.get<int64_t>());
  }
  bool flag(const json& j, const std::string& field, const char* name) const {
    const json& v = at(j, field, name);
    if (!v.is_boolean()) fail(file_, field, "expected true or false");
    return v.get<bool>();
  }
  QDateTime time(const json& j, const std::string& field, const char* name) const {
    const QDateTime t = QDateTime::fromString(QString::fromStdString(text(j, field, name)), Qt::ISODate);
    if (!t.isValid()) fail(file_, field, "expected an ISO 8601 time");
    return t;
  }
  // rows × documents numbers in [0, 1] (null: no example) appended to `out`.
  void matrix(const json& v, const std::string& field, int rowCount, int documents,
              QVector<float>& out) const {
    if (!v.is_array() || static_cast<int>(v.size()) != rowCount)
      fail(file_, field, "expected " + std::to_string(rowCount) + " rows");
    for (size_t r = 0; r < v.size(); ++r) {
      const std::string rowField = field + "[" + std::to_string(r) + "]";
      if (!v[r].is_array() || static_cast<int>(v[r].size()) != documents)
        fail(file_, rowField, "expected " + std::to_string(documents) + " numbers (one per document)");
      for (size_t d = 0; d < v[r].size(); ++d) {
        const json& x = v[r][d];
        if (x.is_null()) {
          out << std::numeric_limits<float>::quiet_NaN();
          continue;
        }
        if (!x.is_number() || x.get<double>() < 0 || x.get<double>() > 1 + 1e-4)
          fail(file_, rowField + "[" + std::to_string(d) + "]", "expected a share of attention in [0, 1]");
        out << x.get<float>();
      }
    }
  }

  const std::string& file() const { return file_; }
  const json& root() const { return root_; }

private:
  std::string file_;
  const json& root_;
};

SavedAggregate parse(const Reader& in, const QString& id) {
  const json& j = in.root();
  if (in.text(j, "format", "format") != AggregateStore::kFormat)
    fail(in.file(), "format", std::string("expected \"") + AggregateStore::kFormat + "\"");
  if (const int v = in.count(j, "format_version", "format_version", 1); v > AggregateStore::kFormatVersion)
    fail(in.file(), "format_version", std::to_string(v) + " is newer than this PosLab reads");
  SavedAggregate a;
  a.id = id;
  a.version = QString::fromStdString(in.text(j, "poslab_version", "poslab_version"));
  a.started = in.time(j, "started", "started");
  a.finished = in.time(j, "finished", "finished");
  a.complete = in.flag(j, "complete", "complete");
  const auto query = AggregateStore::queryFromName(QString::fromStdString(in.text(j, "query", "query")));
  if (!query) fail(in.file(), "query", "expected last, question or answer");
  a.query = *query;
  a.examples = in.count(j, "examples_requested", "examples_requested", 0);
  a.settings = in.at(j, "settings", "settings");
  if (!a.settings.is_object()) fail(in.file(), "settings", "expected an object");
  const json& model = in.at(j, "model", "model");
  a.modelPath = QString::fromStdString(in.text(model, "model.path", "path"));
  a.device = QString::fromStdString(in.text(model, "model.device", "device"));
  a.dtype = QString::fromStdString(in.text(model, "model.dtype", "dtype"));
  a.modelFingerprint = QString::fromStdString(in.text(model, "model.fingerprint", "fingerprint"));
  const json& data = in.at(j, "data", "data");
  a.dataPath = QString::fromStdString(in.text(data, "data.path", "path"));
  a.dataFingerprint = QString::fromStdString(in.text(data, "data.fingerprint", "fingerprint"));
  if (j.contains("fingerprint_error"))
    a.fingerprintError = QString::fromStdString(in.text(j, "fingerprint_error", "fingerprint_error"));

  const json& grid = in.at(j, "grid", "grid");
  AttentionMassGrid& g = a.grid;
  g.documents = in.count(grid, "grid.documents", "documents", 1);
  g.goldPositions = in.count(grid, "grid.gold_positions", "gold_positions", 1);
  g.description = QString::fromStdString(in.text(j, "description", "description"));
  in.matrix(in.at(grid, "grid.mass", "mass"), "grid.mass", g.goldPositions, g.documents, g.mass);
  const json& counts = in.at(grid, "grid.counts", "counts");
  if (!counts.is_array() || static_cast<int>(counts.size()) != g.goldPositions)
    fail(in.file(), "grid.counts",
         "expected " + std::to_string(g.goldPositions) + " counts (one per gold position)");
  for (size_t p = 0; p < counts.size(); ++p) {
    if (!counts[p].is_number_unsigned())
      fail(in.file(), "grid.counts[" + std::to_string(p) + "]", "expected a whole number of examples");
    g.counts << static_cast<int>(counts[p].get<uint64_t>());
  }
  if (grid.contains("layers")) {
    g.layers = in.count(grid, "grid.layers", "layers", 1);
    const json& perLayer = in.at(grid, "grid.per_layer", "per_layer");
    if (!perLayer.is_array() || static_cast<int>(perLayer.size()) != g.layers)
      fail(in.file(), "grid.per_layer", "expected " + std::to_string(g.layers) + " layers");
    for (int l = 0; l < g.layers; ++l)
      in.matrix(perLayer[static_cast<size_t>(l)], "grid.per_layer[" + std::to_string(l) + "]",
                g.goldPositions, g.documents, g.perLayer);
  }
  return a;
}

} // namespace

QString AggregateStore::file(const QString& workspace, const QString& id) {
  return QDir(workspace).filePath("aggregates/" + id + "/" + kFileName);
}

QString AggregateStore::newId(const QString& workspace, const QString& dataPath) {
  return WorkspaceId::make("aggregate", dataPath, '-', [&workspace](const QString& id) {
    return QFileInfo::exists(QDir(workspace).filePath("aggregates/" + id));
  });
}

QStringList AggregateStore::list(const QString& workspace) {
  QStringList ids;
  const QDir dir(QDir(workspace).filePath("aggregates"));
  for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed))
    if (QFileInfo(dir.filePath(name + "/" + kFileName)).isFile()) ids << name;
  return ids;
}

bool AggregateStore::save(const QString& workspace, const SavedAggregate& a, QString* error) {
  const QString path = file(workspace, a.id);
  const AttentionMassGrid& g = a.grid;
  try {
    if (a.id.isEmpty() || a.id.contains('/')) fail(path.toStdString(), "id", "not a folder name");
    if (g.documents <= 0 || g.goldPositions <= 0 || g.mass.size() != g.documents * g.goldPositions ||
        g.counts.size() != g.goldPositions || g.perLayer.size() != g.layers * g.goldPositions * g.documents)
      fail(path.toStdString(), "grid", "the matrix does not match its size");
    json grid{{"documents", g.documents}, {"gold_positions", g.goldPositions}};
    grid["counts"] = json(std::vector<int>(g.counts.begin(), g.counts.end()));
    grid["mass"] = rows(g.mass, 0, g.goldPositions, g.documents);
    if (g.layers > 0) {
      grid["layers"] = g.layers;
      json perLayer = json::array();
      for (int l = 0; l < g.layers; ++l)
        perLayer.push_back(rows(g.perLayer, static_cast<qsizetype>(l) * g.goldPositions * g.documents,
                                g.goldPositions, g.documents));
      grid["per_layer"] = std::move(perLayer);
    }
    json j{{"format", kFormat},
           {"format_version", kFormatVersion},
           {"poslab_version", a.version.toStdString()},
           {"started", utc(a.started)},
           {"finished", utc(a.finished)},
           {"complete", a.complete},
           {"query", queryName(a.query).toStdString()},
           {"examples_requested", a.examples},
           {"reduction", "mean over layers and heads"},
           {"description", g.description.toStdString()},
           {"settings", a.settings},
           {"model",
            {{"path", a.modelPath.toStdString()},
             {"device", a.device.toStdString()},
             {"dtype", a.dtype.toStdString()},
             {"fingerprint", a.modelFingerprint.toStdString()}}},
           {"data", {{"path", a.dataPath.toStdString()}, {"fingerprint", a.dataFingerprint.toStdString()}}},
           {"grid", std::move(grid)}};
    if (!a.fingerprintError.isEmpty()) j["fingerprint_error"] = a.fingerprintError.toStdString();
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
      fail(QFileInfo(path).absolutePath().toStdString(), "", "cannot create the folder");
    JsonFile::write(path.toStdString(), j);
    return true;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

std::optional<SavedAggregate> AggregateStore::load(const QString& workspace, const QString& id,
                                                   QString* error) {
  const std::string path = file(workspace, id).toStdString();
  try {
    const json j = JsonFile::readObject(path);
    return parse(Reader(path, j), id);
  } catch (const std::exception& e) { // poslab::Error, or a json type error not foreseen above
    if (error) *error = QString::fromStdString(e.what()).simplified();
    return std::nullopt;
  }
}

QJsonObject AggregateStore::bundleSource(const SavedAggregate& a) {
  QJsonObject source{
      {"kind", "aggregate"},
      {"settings", QJsonDocument::fromJson(QByteArray::fromStdString(a.settings.dump())).object()},
      {"model", QJsonObject{{"path", a.modelPath},
                            {"device", a.device},
                            {"dtype", a.dtype},
                            {"fingerprint", a.modelFingerprint}}},
      {"data", QJsonObject{{"path", a.dataPath}, {"fingerprint", a.dataFingerprint}}},
      {"examples", a.examples}, // the first N (0 = all)
      {"query", queryName(a.query)},
      {"reduction", "mean over layers and heads"}};
  if (!a.id.isEmpty()) source["aggregate"] = a.id;
  if (!a.fingerprintError.isEmpty()) source["error"] = a.fingerprintError;
  return source;
}

QString AggregateStore::queryName(QuerySelection query) {
  return query == QuerySelection::Question ? "question" : query == QuerySelection::Answer ? "answer" : "last";
}

std::optional<QuerySelection> AggregateStore::queryFromName(const QString& name) {
  if (name == "last") return QuerySelection::LastToken;
  if (name == "question") return QuerySelection::Question;
  if (name == "answer") return QuerySelection::Answer;
  return std::nullopt;
}

} // namespace poslab
