#pragma once
// Turns one JSON record into a RetrievalExample, checking every field it uses.
// Errors are one line: "<file>: line <n>: field '<name>': <what is wrong>".
#include "core/data/DataFormat.h"
#include "core/data/RetrievalExample.h"

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace poslab {

class RecordParser {
public:
  RecordParser(std::string fileName, DataFormat format);

  // `format` must not be Auto. index/line are stored in the example.
  RetrievalExample parse(const nlohmann::json& record, size_t line, size_t index) const;

private:
  RetrievalExample parseLitmQa(const nlohmann::json& record, size_t line) const;
  RetrievalExample parseLitmKv(const nlohmann::json& record, size_t line) const;
  RetrievalExample parsePosLab(const nlohmann::json& record, size_t line) const;
  RetrievalExample parseMusique(const nlohmann::json& record, size_t line) const;
  // Qa with one gold document, or TwoHop with two (their hops numbered here,
  // in document order, unless the record numbered them).
  void checkQa(RetrievalExample& example, size_t line, const char* documentsField) const;
  void checkKv(const RetrievalExample& example, size_t line, const char* pairsField) const;

  std::string fileName_;
  DataFormat format_;
};

} // namespace poslab
