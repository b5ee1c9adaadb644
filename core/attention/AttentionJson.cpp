#include "core/attention/AttentionJson.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

namespace poslab {

namespace {

using ojson = nlohmann::ordered_json;

ojson nested(const std::vector<float>& values, const std::vector<size_t>& shape, size_t dim, size_t& at) {
  ojson out = ojson::array();
  if (dim + 1 == shape.size()) {
    for (size_t i = 0; i < shape[dim]; ++i)
      out.push_back(values[at++]);
    return out;
  }
  for (size_t i = 0; i < shape[dim]; ++i)
    out.push_back(nested(values, shape, dim + 1, at));
  return out;
}

ojson rangeJson(TokenRange r) {
  return ojson::array({r.first, r.last});
}

} // namespace

ojson AttentionJson::array(const std::vector<float>& values, const std::vector<size_t>& shape,
                           const std::vector<std::string>& axes) {
  size_t n = 1;
  for (size_t s : shape)
    n *= s;
  if (n != values.size() || axes.size() != shape.size())
    fail("", "attention array", std::to_string(values.size()) + " values do not fill the shape");
  ojson j;
  j["axes"] = axes;
  j["shape"] = shape;
  size_t at = 0;
  j["data"] = shape.empty() ? ojson::array() : nested(values, shape, 0, at);
  return j;
}

ojson AttentionJson::profile(const AttentionProfile& p) {
  ojson j;
  j["query"] = p.query;
  j["layers"] = p.layers;
  j["heads"] = p.heads;
  j["documents"] = p.documents;
  j["gold_index"] = p.goldIndex ? ojson(*p.goldIndex) : ojson(nullptr);
  j["sequence_tokens"] = p.sequenceTokens;
  j["prompt_tokens"] = p.promptTokens;
  j["query_rows"] = rangeJson(p.queryRows);
  ojson ranges = ojson::array();
  for (const TokenRange& r : p.documentRanges)
    ranges.push_back(rangeJson(r));
  j["document_ranges"] = ranges;
  j["document_tokens"] = p.documentTokens;
  j["sink_tokens"] = p.sinkTokens;
  j["mass"] = array(p.mass, {p.layers, p.heads, p.documents}, {"layer", "head", "document"});
  j["outside_mass"] = array(p.outsideMass, {p.layers, p.heads}, {"layer", "head"});
  j["sink_mass"] = array(p.sinkMass, {p.layers, p.heads}, {"layer", "head"});
  j["sink_share"] = array(p.sinkShare, {p.layers}, {"layer"});
  j["mass_over_heads"] = array(p.massOverHeads(), {p.layers, p.documents}, {"layer", "document"});
  j["mass_over_layers_and_heads"] = array(p.massOverLayersAndHeads(), {p.documents}, {"document"});
  if (p.query == "answer") {
    j["answer"] = {{"ids", p.answerIds}, {"text", p.answerText}, {"stop_reason", p.stopReason}};
  }
  return j;
}

ojson AttentionJson::tokens(const TokenAttention& t) {
  ojson j;
  j["layer"] = t.layer;
  j["head"] = t.head;
  j["heads"] = t.heads;
  j["query_tokens"] = t.queryTokens;
  j["key_tokens"] = t.keyTokens;
  j["weights"] = array(t.weights, {t.queryTokens.size(), t.keyTokens.size()}, {"query", "key"});
  return j;
}

ojson AttentionJson::matrix(const AttentionMassMatrix& m) {
  ojson j;
  j["query"] = m.query;
  j["layers"] = m.layers;
  j["heads"] = m.heads;
  j["documents"] = m.documents;
  j["positions"] = m.positions;
  j["counts"] = m.counts;
  j["mass"] = array(m.averaged, {m.documents, m.positions}, {"document", "gold_position"});
  j["mass_per_layer"] =
      array(m.perLayer, {m.layers, m.documents, m.positions}, {"layer", "document", "gold_position"});
  j["outside_mass_per_layer"] = array(m.outsidePerLayer, {m.layers, m.positions}, {"layer", "gold_position"});
  j["sink_share_per_layer"] = array(m.sinkPerLayer, {m.layers, m.positions}, {"layer", "gold_position"});
  return j;
}

void AttentionJson::write(const std::string& path, const nlohmann::ordered_json& j) {
  AtomicFile::writeText(path,
                        j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

} // namespace poslab
