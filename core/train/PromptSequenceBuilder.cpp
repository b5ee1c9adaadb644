#include "core/train/PromptSequenceBuilder.h"

#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <cmath>
#include <numeric>
#include <sstream>

namespace poslab {

PromptSequenceBuilder::PromptSequenceBuilder(const PromptFactory& factory, int32_t eos,
                                             std::vector<double> positionWeights, uint64_t seed)
    : factory_(factory), eos_(eos), weights_(std::move(positionWeights)), seed_(seed) {
  if (eos_ < 0) fail("tokenizer", "eos", "the model has no EOS token to end the answer with");
  double total = 0;
  for (double w : weights_) {
    if (!(w >= 0) || !std::isfinite(w)) fail("position weights", "", "must be finite and >= 0");
    total += w;
  }
  if (!weights_.empty() && total <= 0) fail("position weights", "", "at least one must be > 0");
}

size_t PromptSequenceBuilder::positionFor(const RetrievalExample& example) const {
  const size_t count = factory_.positionCount(example);
  SeededRandom rng(SeededRandom::derive(seed_, example.index));
  if (weights_.empty()) return static_cast<size_t>(rng.below(count));
  if (weights_.size() != count)
    fail("example " + std::to_string(example.index), "position weights",
         std::to_string(weights_.size()) + " weights for " + std::to_string(count) + " positions");
  // Inverse CDF on a 53-bit uniform in [0, 1).
  const double u = static_cast<double>(rng.below(uint64_t{1} << 53)) / static_cast<double>(uint64_t{1} << 53);
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  double cumulative = 0;
  size_t last = 0;
  for (size_t i = 0; i < count; ++i) {
    if (weights_[i] <= 0) continue;
    last = i;
    cumulative += weights_[i] / total;
    if (u < cumulative) return i;
  }
  return last; // u within rounding of 1
}

TrainingSequence PromptSequenceBuilder::build(const RetrievalExample& example) const {
  std::string answer;
  if (example.kind == TaskKind::Kv)
    answer = example.value;
  else if (!example.answers.empty()) // the first accepted answer is the training target;
    answer = example.kind == TaskKind::TwoHop
                 ? "The answer is: " + example.answers.front() // as R2's metric reads it
                 : example.answers.front();
  else
    fail("example " + std::to_string(example.index), "answers", "no answer to train on");
  const PromptInstance prompt = factory_.atPosition(example, positionFor(example));
  TrainingSequence s;
  s.ids = prompt.encoding.ids;
  s.lossMask.assign(s.ids.size(), 0);
  for (int32_t id : factory_.answerIds(prompt, answer)) {
    s.ids.push_back(id);
    s.lossMask.push_back(1);
  }
  s.ids.push_back(eos_);
  s.lossMask.push_back(1);
  return s;
}

std::vector<TrainingSequence>
PromptSequenceBuilder::build(const std::vector<RetrievalExample>& examples) const {
  std::vector<TrainingSequence> out;
  out.reserve(examples.size());
  for (const RetrievalExample& e : examples)
    out.push_back(build(e));
  return out;
}

std::vector<double> PromptSequenceBuilder::parseWeights(const std::string& text, const std::string& field) {
  std::vector<double> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) fail("", field, "\"" + item + "\" is not a number");
    out.push_back(v);
  }
  if (out.empty()) fail("", field, "no weights given");
  return out;
}

} // namespace poslab
