#include "core/distill/PositionWeighting.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace poslab {

namespace {

struct Bin {
  double sum = 0, max = 0;
  size_t count = 0;
  double softmax = 0; // s_p
};

} // namespace

std::vector<double> PositionWeighting::factors(const std::vector<Row>& rows, Weighting weighting,
                                               double lambda) {
  std::vector<double> out(rows.size(), 0.0);
  size_t anchors = 0, activations = 0;
  std::map<int64_t, Bin> bins;
  for (const Row& r : rows) {
    if (r.anchor) {
      ++anchors;
      continue;
    }
    ++activations;
    Bin& b = bins[r.bin];
    b.sum += r.kl;
    b.max = b.count == 0 ? r.kl : std::max(b.max, r.kl);
    ++b.count;
  }
  // s_p = softmax over the bins present of their mean KL (shifted by the max for stability).
  double top = -INFINITY, z = 0;
  for (const auto& [p, b] : bins)
    top = std::max(top, b.sum / static_cast<double>(b.count));
  for (auto& [p, b] : bins)
    z += (b.softmax = std::exp(b.sum / static_cast<double>(b.count) - top));
  for (auto& [p, b] : bins)
    b.softmax /= z;

  const double nBins = static_cast<double>(bins.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.anchor) {
      out[i] = weighting == Weighting::Code ? lambda : lambda / static_cast<double>(anchors);
      continue;
    }
    const Bin& b = bins.at(r.bin);
    switch (weighting) {
    case Weighting::Uniform:
      out[i] = 1.0 / static_cast<double>(activations);
      break;
    case Weighting::Paper:
      out[i] = b.max > 0 ? b.softmax * r.kl / b.max : 0.0;
      break;
    case Weighting::Code:
      out[i] = b.max > 0 ? b.softmax * nBins / static_cast<double>(b.count) * r.kl / b.max : 0.0;
      break;
    }
  }
  return out;
}

Weighting PositionWeighting::parse(const std::string& name, const std::string& field) {
  if (name == "paper") return Weighting::Paper;
  if (name == "code") return Weighting::Code;
  if (name == "uniform") return Weighting::Uniform;
  fail("", field, "'" + name + "' is not paper, code or uniform");
}

const char* PositionWeighting::name(Weighting w) {
  return w == Weighting::Paper ? "paper" : w == Weighting::Code ? "code" : "uniform";
}

} // namespace poslab
