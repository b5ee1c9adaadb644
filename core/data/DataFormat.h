#pragma once
// The record layouts PosLab reads (docs/DATA-FORMAT.md). Auto picks one from the
// first record of a file; the choice can be forced.
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace poslab {

enum class DataFormat {
  Auto,
  LitmQa,  // lost-in-the-middle QA: question, answers, ctxs[{title, text, isgold, ...}]
  LitmKv,  // lost-in-the-middle KV retrieval: ordered_kv_records, key, value
  PosLab,  // PosLab's own: documents[{title, text, is_gold}] or pairs[[k, v]]
  Musique, // MuSiQue (two-hop): question, answer, answer_aliases, paragraphs[{title, paragraph_text,
           // is_supporting}]
};

const char* dataFormatName(DataFormat format); // "auto", "litm-qa", "litm-kv", "poslab", "musique"
// Parses a name as dataFormatName writes it; throws poslab::Error naming `field`.
DataFormat parseDataFormat(std::string_view name, const std::string& field = "format");
// The format a record is in, by its keys; Auto when none fits.
DataFormat detectDataFormat(const nlohmann::json& record);

} // namespace poslab
