#include "core/demo/DemoBatchSampler.h"

#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

namespace {
constexpr uint64_t kBatchStream = 3ull << 40;

// Uniform in [0, 1) from 53 random bits: the same on every platform.
double unitDraw(SeededRandom& rng) {
  return static_cast<double>(rng.below(uint64_t{1} << 53)) / static_cast<double>(uint64_t{1} << 53);
}
} // namespace

DemoBatchSampler::DemoBatchSampler(const DemoRecipe& recipe, const std::vector<RetrievalExample>& train,
                                   const Tokenizer& tokenizer, PromptBuilder builder)
    : recipe_(recipe), train_(train), tokenizer_(tokenizer), builder_(std::move(builder)) {
  if (train_.empty()) fail("demo training", "examples", "no training examples");
  double total = 0;
  for (double w : recipe_.phaseBPositionWeights())
    cumulative_.push_back(total += w);
}

RetrievalExample DemoBatchSampler::arrange(const RetrievalExample& example, const std::vector<size_t>& others,
                                           size_t slot) {
  const auto gold = example.goldIndex();
  if (!gold) fail("demo training", "example " + example.id, "has no gold document");
  RetrievalExample out = example;
  out.documents.clear();
  for (size_t i : others)
    out.documents.push_back(example.documents[i]);
  out.documents.insert(out.documents.begin() + static_cast<std::ptrdiff_t>(slot), example.documents[*gold]);
  return out;
}

DemoSequence DemoBatchSampler::encode(const RetrievalExample& example, const Tokenizer& tokenizer,
                                      const PromptBuilder& builder) {
  const std::string text = builder.build(example).text;
  const EncodeOptions withBos{true, false};
  DemoSequence seq;
  seq.prompt = tokenizer.encode(text, withBos).ids;
  const std::vector<int32_t> full = tokenizer.encode(text + " " + example.answers.front(), withBos).ids;
  if (full.size() <= seq.prompt.size() || !std::equal(seq.prompt.begin(), seq.prompt.end(), full.begin()))
    fail("demo training", "example " + example.id, "the answer's tokens do not extend the prompt's");
  seq.answer.assign(full.begin() + static_cast<std::ptrdiff_t>(seq.prompt.size()), full.end());
  seq.answer.push_back(tokenizer.specialTokens().eos);
  return seq;
}

DemoBatchSampler::Row DemoBatchSampler::row(const RetrievalExample& example,
                                            const std::vector<size_t>& followUps) const {
  const DemoSequence first = encode(example, tokenizer_, builder_);
  Row out;
  out.ids = first.prompt;
  out.ids.insert(out.ids.end(), first.answer.begin(), first.answer.end());
  out.labels.assign(out.ids.size(), -100);
  for (size_t t = first.prompt.size() - 1; t + 1 < out.ids.size(); ++t)
    out.labels[t] = out.ids[t + 1];
  // Follow-up questions: each segment is encoded on its own with the text before
  // it as context (the encoding of context + segment, minus the context's), so
  // a follow-up's tokens are those the same text would get inside a prompt.
  const EncodeOptions plain{false, false};
  for (size_t d : followUps) {
    const std::string context = "Answer: 0";
    const std::string question =
        "\nQuestion: " + std::string(recipe_.questionPrefix) + example.documents[d].title + "?\nAnswer:";
    const std::vector<int32_t> base = tokenizer_.encode(context, plain).ids;
    const std::vector<int32_t> withQ = tokenizer_.encode(context + question, plain).ids;
    const std::vector<int32_t> withA =
        tokenizer_.encode(context + question + " " + example.documents[d].text, plain).ids;
    if (!std::equal(base.begin(), base.end(), withQ.begin()) ||
        !std::equal(withQ.begin(), withQ.end(), withA.begin()))
      fail("demo training", "example " + example.id, "follow-up question tokens do not extend the context's");
    out.ids.insert(out.ids.end(), withQ.begin() + static_cast<std::ptrdiff_t>(base.size()), withQ.end());
    const size_t answerStart = out.ids.size();
    out.ids.insert(out.ids.end(), withA.begin() + static_cast<std::ptrdiff_t>(withQ.size()), withA.end());
    out.ids.push_back(tokenizer_.specialTokens().eos);
    out.labels.resize(out.ids.size(), -100);
    for (size_t t = answerStart - 1; t + 1 < out.ids.size(); ++t)
      out.labels[t] = out.ids[t + 1];
  }
  return out;
}

DemoBatch DemoBatchSampler::batch(size_t step) const {
  const size_t B = recipe_.batchSize;
  const bool phaseA = step < recipe_.phaseASteps;
  std::vector<Row> rows;
  DemoBatch out;
  for (size_t r = 0; r < B; ++r) {
    SeededRandom rng(SeededRandom::derive(recipe_.seed, kBatchStream + step * B + r));
    const RetrievalExample& ex = train_[rng.below(train_.size())];
    const size_t gold = *ex.goldIndex();
    std::vector<size_t> others;
    for (size_t i = 0; i < ex.documents.size(); ++i)
      if (i != gold) others.push_back(i);
    rng.shuffle(others);
    size_t slot = 0;
    std::vector<size_t> followUps;
    if (phaseA) {
      const size_t k = recipe_.phaseADocsMin + rng.below(recipe_.phaseADocsMax - recipe_.phaseADocsMin + 1);
      others.resize(k - 1);
      slot = rng.below(k);
      // Then every other document, in a random order (indices after arrange()).
      for (size_t i = 0; i < k; ++i)
        if (i != slot) followUps.push_back(i);
      rng.shuffle(followUps);
    } else {
      auto draw = [&] {
        const double u = unitDraw(rng);
        const auto at = std::upper_bound(cumulative_.begin(), cumulative_.end(), u) - cumulative_.begin();
        return std::min(static_cast<size_t>(at), others.size());
      };
      slot = draw();
      // Follow-up questions about further slots from the same weights, distinct
      // (a bounded number of tries, so that a skewed table cannot loop long).
      for (size_t tries = 0; followUps.size() < recipe_.phaseBFollowUps && tries < 100; ++tries) {
        const size_t s = draw();
        if (s != slot && std::find(followUps.begin(), followUps.end(), s) == followUps.end())
          followUps.push_back(s);
      }
    }
    rows.push_back(row(arrange(ex, others, slot), followUps));
    out.goldSlots.push_back(slot);
  }
  int64_t T = 0;
  for (const auto& s : rows)
    T = std::max<int64_t>(T, static_cast<int64_t>(s.ids.size() - 1));
  out.ids = at::zeros({static_cast<int64_t>(B), T}, at::kLong);
  out.targets = at::full({static_cast<int64_t>(B), T}, -100, at::kLong);
  auto ids = out.ids.accessor<int64_t, 2>();
  auto targets = out.targets.accessor<int64_t, 2>();
  for (size_t r = 0; r < B; ++r) {
    const int64_t i = static_cast<int64_t>(r);
    for (size_t t = 0; t + 1 < rows[r].ids.size(); ++t) {
      ids[i][static_cast<int64_t>(t)] = rows[r].ids[t];
      targets[i][static_cast<int64_t>(t)] = rows[r].labels[t];
    }
  }
  return out;
}

} // namespace poslab
