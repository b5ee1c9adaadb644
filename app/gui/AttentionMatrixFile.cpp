#include "app/gui/AttentionMatrixFile.h"

#include "core/util/Error.h"
#include "core/util/JsonFile.h"

#include <climits>
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

// matrix.<key> as a whole number, 0 when absent. Not JsonFile::readField: its
// get<size_t>() of a float like 1e300 is undefined (UBSan in the results_json
// fuzz build).
size_t count(const nlohmann::json& m, const char* key, const std::string& file) {
  auto it = m.find(key);
  if (it == m.end()) return 0;
  if (!it->is_number_unsigned())
    fail(file, std::string("matrix.") + key, "expected a whole number, found " + it->dump());
  return it->get<size_t>();
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
    const size_t documents = count(m, "documents", file);
    const size_t positions = count(m, "positions", file);
    const size_t layers = count(m, "layers", file);
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
    if (auto c = m.find("counts"); c != m.end()) {
      if (!c->is_array() || (!c->empty() && c->size() != positions))
        fail(file, "matrix.counts", "needs one count per position");
      for (size_t p = 0; p < c->size(); ++p) {
        const nlohmann::json& n = (*c)[p];
        if (!n.is_number_unsigned() || n.get<uint64_t>() > INT_MAX)
          fail(file, "matrix.counts[" + std::to_string(p) + "]",
               "expected a whole number, found " + n.dump());
        g.counts << static_cast<int>(n.get<uint64_t>());
      }
    }
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
