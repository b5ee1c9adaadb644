#include "core/demo/DemoCurriculum.h"

#include "core/data/GoldPlacement.h"
#include "core/data/SeededRandom.h"
#include "core/util/Error.h"

#include <algorithm>

namespace poslab {

namespace {
constexpr uint64_t kInductionStream = 3ull << 40;
constexpr uint64_t kRetrievalStream = 6ull << 40;

// Uniform in [0, 1) from 53 random bits: the same on every platform.
double unitDraw(SeededRandom& rng) {
  return static_cast<double>(rng.below(uint64_t{1} << 53)) / static_cast<double>(uint64_t{1} << 53);
}
} // namespace

DemoCurriculum::DemoCurriculum(const DemoRecipe& recipe, const std::vector<RetrievalExample>& train,
                               const Tokenizer& tokenizer, PromptBuilder builder)
    : recipe_(recipe), train_(train), tokenizer_(tokenizer), builder_(std::move(builder)) {
  if (train_.empty()) fail("demo training", "examples", "no training examples");
  if (recipe_.copyMinLength < 1 || recipe_.copyMaxLength < recipe_.copyMinLength)
    fail("demo recipe", "copyMinLength/copyMaxLength", "need 1 <= min <= max");
  if (recipe_.shortDocsMin < 1 || recipe_.shortDocsMax < recipe_.shortDocsMin ||
      recipe_.shortDocsMax > recipe_.documents)
    fail("demo recipe", "shortDocsMin/shortDocsMax", "need 1 <= min <= max <= documents");
  double total = 0;
  for (double w : recipe_.positionWeights())
    cumulative_.push_back(total += w);
}

RetrievalExample DemoCurriculum::arrange(const RetrievalExample& example, const std::vector<size_t>& others,
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

std::string DemoCurriculum::response(const RetrievalExample& example) {
  if (example.answers.empty()) fail("demo training", "example " + example.id, "has no answer");
  if (example.kind != TaskKind::TwoHop) return example.answers.front();
  const std::vector<size_t> hops = example.hopIndices();
  if (hops.size() != 2) fail("demo training", "example " + example.id, "needs hop 1 and hop 2 documents");
  return example.documents[hops[0]].text + ", " + example.documents[hops[1]].text +
         ". The answer is: " + example.answers.front();
}

RetrievalExample DemoCurriculum::placeAt(const RetrievalExample& example, size_t place) {
  return GoldPlacement().place(example, place);
}

DemoSequence DemoCurriculum::encode(const RetrievalExample& example, const Tokenizer& tokenizer,
                                    const PromptBuilder& builder) {
  const std::string text = builder.build(example).text;
  const EncodeOptions withBos{true, false};
  DemoSequence seq;
  seq.prompt = tokenizer.encode(text, withBos).ids;
  const std::vector<int32_t> full = tokenizer.encode(text + " " + response(example), withBos).ids;
  if (full.size() <= seq.prompt.size() || !std::equal(seq.prompt.begin(), seq.prompt.end(), full.begin()))
    fail("demo training", "example " + example.id, "the answer's tokens do not extend the prompt's");
  seq.answer.assign(full.begin() + static_cast<std::ptrdiff_t>(seq.prompt.size()), full.end());
  seq.answer.push_back(tokenizer.specialTokens().eos);
  return seq;
}

TrainingSequence DemoCurriculum::copyRow(SeededRandom& rng) const {
  // Tokens are drawn from the whole vocabulary but the specials (ids 0-2:
  // unk, BOS, EOS), so the copy mechanism is not tied to names or digits.
  const uint64_t first = 3, pieces = static_cast<uint64_t>(tokenizer_.vocabSize()) - first;
  const size_t length = recipe_.copyMinLength + rng.below(recipe_.copyMaxLength - recipe_.copyMinLength + 1);
  std::vector<int32_t> s(length);
  for (int32_t& id : s)
    id = static_cast<int32_t>(first + rng.below(pieces));
  TrainingSequence row;
  row.ids.push_back(tokenizer_.specialTokens().bos);
  row.ids.insert(row.ids.end(), s.begin(), s.end());
  row.ids.insert(row.ids.end(), s.begin(), s.end());
  row.lossMask.assign(row.ids.size(), 0);
  // The copy's first token follows a token seen only once: unpredictable but
  // kept in the loss, as the probe that chose this recipe did.
  std::fill(row.lossMask.begin() + static_cast<std::ptrdiff_t>(1 + length), row.lossMask.end(), 1);
  return row;
}

size_t DemoCurriculum::drawPlace(SeededRandom& rng) const {
  const auto at =
      std::upper_bound(cumulative_.begin(), cumulative_.end(), unitDraw(rng)) - cumulative_.begin();
  return std::min(static_cast<size_t>(at), cumulative_.size() - 1);
}

TrainingSequence DemoCurriculum::retrievalRow(SeededRandom& rng, bool shortContext) const {
  const RetrievalExample& ex = train_[rng.below(train_.size())];
  const std::vector<size_t> gold = ex.hopIndices(); // the gold (Qa) or hop 1, hop 2 (TwoHop)
  std::vector<size_t> others;
  for (size_t i = 0; i < ex.documents.size(); ++i)
    if (std::find(gold.begin(), gold.end(), i) == gold.end()) others.push_back(i);
  rng.shuffle(others);
  size_t slot = 0;
  if (shortContext) {
    const size_t k = std::max(recipe_.shortDocsMin, gold.size()) +
                     rng.below(recipe_.shortDocsMax - std::max(recipe_.shortDocsMin, gold.size()) + 1);
    others.resize(k - gold.size());
    slot = rng.below(k);
  } else {
    slot = drawPlace(rng);
  }
  RetrievalExample arranged;
  if (ex.kind == TaskKind::TwoHop) {
    // The kept documents, the hops first; hop 1 goes to `slot`, hop 2 to one of
    // the other places: any (short rows), or drawn like hop 1 from the
    // end-favoured weights and put after hop 1 when drawn at or after it (long
    // rows: mostly both at the end, R2's advantageous layout (K-2, K-1), and
    // sometimes reversed or apart).
    RetrievalExample kept = ex;
    kept.documents = {ex.documents[gold[0]], ex.documents[gold[1]]};
    for (size_t i : others)
      kept.documents.push_back(ex.documents[i]);
    size_t post = shortContext ? rng.below(kept.documents.size() - 1) : drawPlace(rng);
    if (post >= slot) ++post;
    arranged = GoldPlacement().placePair(kept, slot, post);
  } else {
    arranged = arrange(ex, others, slot);
  }
  const DemoSequence seq = encode(arranged, tokenizer_, builder_);
  TrainingSequence row;
  row.ids = seq.prompt;
  row.ids.insert(row.ids.end(), seq.answer.begin(), seq.answer.end());
  row.lossMask.assign(seq.prompt.size(), 0);
  row.lossMask.resize(row.ids.size(), 1);
  return row;
}

std::vector<TrainingSequence> DemoCurriculum::induction() const {
  std::vector<TrainingSequence> out;
  const size_t rows = recipe_.inductionSteps * recipe_.inductionBatch;
  out.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    SeededRandom rng(SeededRandom::derive(recipe_.seed, kInductionStream + i));
    out.push_back(copyRow(rng));
  }
  return out;
}

std::vector<TrainingSequence> DemoCurriculum::retrieval() const {
  std::vector<TrainingSequence> out;
  const size_t rows = recipe_.retrievalSteps() * recipe_.retrievalBatch;
  out.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    SeededRandom rng(SeededRandom::derive(recipe_.seed, kRetrievalStream + i));
    const bool shortContext = i / recipe_.retrievalBatch < recipe_.shortSteps;
    out.push_back(unitDraw(rng) < recipe_.copyShare ? copyRow(rng) : retrievalRow(rng, shortContext));
  }
  return out;
}

} // namespace poslab
