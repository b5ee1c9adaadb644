#include "app/gui/AttentionMatrixFile.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <cmath>

namespace poslab {

namespace {

// A {"axes", "shape", "data"} array of `rank` dimensions as its values in row-major order.
std::vector<float> values(const nlohmann::json& a, const std::string& file, const std::string& field,
                          const std::vector<size_t>& shape) {
  if (!a.is_object() || !a.contains("data") || !a.contains("shape"))
    fail(file, field, "is not an attention array");
  if (a.at("shape") != nlohmann::json(shape))
    fail(file, field + ".shape", a.at("shape").dump() + " is not " + nlohmann::json(shape).dump());
  std::vector<float> out;
  std::function<void(const nlohmann::json&, size_t, const std::string&)> walk =
      [&](const nlohmann::json& v, size_t dim, const std::string& at) {
        if (!v.is_array() || v.size() != shape[dim])
          fail(file, at,
               "expected " + std::to_string(shape[dim]) + (dim + 1 == shape.size() ? " numbers" : " arrays"));
        for (size_t i = 0; i < v.size(); ++i) {
          const std::string here = at + "[" + std::to_string(i) + "]";
          if (dim + 1 < shape.size()) {
            walk(v[i], dim + 1, here);
          } else {
            if (!v[i].is_number()) fail(file, here, "is not a number");
            out.push_back(v[i].get<float>());
          }
        }
      };
  walk(a.at("data"), 0, field + ".data");
  return out;
}

} // namespace

std::optional<AttentionMassGrid> AttentionMatrixFile::read(const QString& path, QString* error) {
  const std::string file = path.toStdString();
  try {
    const nlohmann::json j = JsonFile::readObject(file);
    if (j.value("format", "") != "poslab-attention-matrix")
      fail(file, "format", "is not \"poslab-attention-matrix\" (poslab-cli attention --aggregate)");
    if (!j.contains("matrix") || !j.at("matrix").is_object()) fail(file, "matrix", "is missing");
    const nlohmann::json& m = j.at("matrix");
    size_t documents = 0, positions = 0, layers = 0;
    JsonFile::readField(m, "documents", documents, file);
    JsonFile::readField(m, "positions", positions, file);
    JsonFile::readField(m, "layers", layers, file);
    if (documents == 0 || documents > 100000) fail(file, "matrix.documents", "must be 1 to 100000");
    if (positions != documents) fail(file, "matrix.positions", "must equal matrix.documents");
    if (layers > 10000) fail(file, "matrix.layers", "must be at most 10000");
    AttentionMassGrid g;
    g.documents = static_cast<int>(documents);
    g.goldPositions = static_cast<int>(positions);
    g.description = QStringLiteral("query %1, mean over layers and heads")
                        .arg(QString::fromStdString(m.value("query", std::string("?"))));
    // File: [document][gold]; grid: [gold][document].
    const std::vector<float> mass =
        values(m.value("mass", nlohmann::json()), file, "matrix.mass", {documents, positions});
    g.mass.resize(static_cast<qsizetype>(documents * positions));
    for (size_t d = 0; d < documents; ++d)
      for (size_t p = 0; p < positions; ++p)
        g.mass[static_cast<qsizetype>(p * documents + d)] = mass[d * positions + p];
    std::vector<int> counts;
    JsonFile::readField(m, "counts", counts, file);
    if (!counts.empty() && counts.size() != positions)
      fail(file, "matrix.counts", "needs one count per position");
    g.counts = QVector<int>(counts.begin(), counts.end());
    if (layers > 0 && m.contains("mass_per_layer")) {
      const std::vector<float> per =
          values(m.at("mass_per_layer"), file, "matrix.mass_per_layer", {layers, documents, positions});
      g.layers = static_cast<int>(layers);
      g.perLayer.resize(static_cast<qsizetype>(layers * documents * positions));
      for (size_t l = 0; l < layers; ++l)
        for (size_t d = 0; d < documents; ++d)
          for (size_t p = 0; p < positions; ++p)
            g.perLayer[static_cast<qsizetype>((l * positions + p) * documents + d)] =
                per[(l * documents + d) * positions + p];
    }
    return g;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return std::nullopt;
  }
}

} // namespace poslab
