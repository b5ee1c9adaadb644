#include "core/data/DataFormat.h"

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace poslab {

const char* dataFormatName(DataFormat format) {
  switch (format) {
  case DataFormat::Auto:
    return "auto";
  case DataFormat::LitmQa:
    return "litm-qa";
  case DataFormat::LitmKv:
    return "litm-kv";
  case DataFormat::PosLab:
    return "poslab";
  case DataFormat::Musique:
    return "musique";
  }
  return "auto";
}

DataFormat parseDataFormat(std::string_view name, const std::string& field) {
  for (auto f :
       {DataFormat::Auto, DataFormat::LitmQa, DataFormat::LitmKv, DataFormat::PosLab, DataFormat::Musique})
    if (name == dataFormatName(f)) return f;
  fail("", field,
       "unknown data format '" + std::string(name) +
           "' (expected auto, litm-qa, litm-kv, poslab or musique)");
}

DataFormat detectDataFormat(const nlohmann::json& record) {
  if (!record.is_object()) return DataFormat::Auto;
  if (record.contains("ctxs")) return DataFormat::LitmQa;
  if (record.contains("ordered_kv_records")) return DataFormat::LitmKv;
  if (record.contains("documents") || record.contains("pairs")) return DataFormat::PosLab;
  if (record.contains("paragraphs")) return DataFormat::Musique;
  return DataFormat::Auto;
}

} // namespace poslab
