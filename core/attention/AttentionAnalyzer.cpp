#include "core/attention/AttentionAnalyzer.h"

#include "core/model/Generator.h"
#include "core/model/LlamaModel.h"
#include "core/tokenizer/Tokenizer.h"
#include "core/util/Error.h"

#include <ATen/ATen.h>
#include <algorithm>
#include <chrono>

namespace poslab {

namespace {

std::string rangeText(TokenRange r) {
  std::string text = "[";
  text += std::to_string(r.first);
  text += ", ";
  text += std::to_string(r.last);
  text += ")";
  return text;
}

} // namespace

const char* headReduceName(HeadSelection::Reduce reduce) {
  switch (reduce) {
  case HeadSelection::Reduce::Mean:
    return "mean";
  case HeadSelection::Reduce::Max:
    return "max";
  case HeadSelection::Reduce::One:
    break;
  }
  return "head";
}

AttentionAnalyzer::AttentionAnalyzer(const LlamaModel& model, const Tokenizer* tokenizer,
                                     AttentionOptions options)
    : model_(model), tokenizer_(tokenizer), options_(std::move(options)) {}

AttentionSequence AttentionAnalyzer::prepare(const PromptInstance& prompt, AttentionQuery query) const {
  AttentionSequence s;
  s.query = query;
  s.ids = prompt.encoding.ids;
  s.promptTokens = s.ids.size();
  if (s.ids.empty()) fail("", "prompt", "has no tokens");
  const size_t T = s.ids.size();
  switch (query) {
  case AttentionQuery::LastToken:
    s.queryRows = {T - 1, T};
    break;
  case AttentionQuery::Question:
    s.queryRows = prompt.spans.question;
    if (s.queryRows.size() == 0) fail("", "query question", "the prompt has no question tokens");
    break;
  case AttentionQuery::Answer: {
    if (options_.maxAnswerTokens < 1) fail("", "max answer tokens", "must be at least 1");
    GenerationSettings g;
    g.maxNewTokens = options_.maxAnswerTokens;
    g.stopIds = options_.stopIds;
    for (int64_t id : model_.config().eosTokenIds)
      g.stopIds.push_back(static_cast<int32_t>(id));
    if (tokenizer_) {
      const SpecialTokens& sp = tokenizer_->specialTokens();
      if (sp.eos >= 0) g.stopIds.push_back(sp.eos);
      g.stopIds.insert(g.stopIds.end(), sp.extraEos.begin(), sp.extraEos.end());
      g.stopStrings = options_.stopStrings;
    }
    GeneratedSequence out = Generator(model_, tokenizer_).greedy({s.ids}, g).front();
    s.answerIds = out.ids;
    s.answerText = out.text;
    s.stopReason = out.stopReason;
    // Row T-1 predicts answer token 0, row T-1+i (answer token i-1) predicts
    // token i; the last answer token predicts nothing and is not fed.
    s.ids.insert(s.ids.end(), out.ids.begin(), out.ids.end() - 1);
    s.queryRows = {T - 1, T - 1 + out.ids.size()};
    break;
  }
  }
  return s;
}

AttentionAnalysis AttentionAnalyzer::analyse(const AttentionSequence& seq,
                                             const std::vector<TokenRange>& documents,
                                             std::optional<HeadSelection> tokenMatrix) const {
  const ModelConfig& c = model_.config();
  const int64_t T = static_cast<int64_t>(seq.ids.size());
  const int64_t L = c.numLayers, H = c.numHeads, D = static_cast<int64_t>(documents.size());
  const TokenRange rows = seq.queryRows;
  if (T == 0) fail("", "sequence", "has no tokens");
  if (rows.size() == 0 || rows.last > seq.ids.size())
    fail("", "query rows", rangeText(rows) + " is empty or outside the " + std::to_string(T) + " tokens");
  for (int32_t id : seq.ids)
    if (id < 0 || id >= c.vocabSize)
      fail("", "ids",
           "id " + std::to_string(id) + " is outside the vocabulary (0.." + std::to_string(c.vocabSize - 1) +
               ")");
  for (size_t d = 0; d < documents.size(); ++d)
    if (documents[d].first > documents[d].last || documents[d].last > seq.ids.size())
      fail("", "document " + std::to_string(d),
           "token range " + rangeText(documents[d]) + " is outside the " + std::to_string(T) + " tokens");
  const bool oneHead = tokenMatrix && tokenMatrix->reduce == HeadSelection::Reduce::One;
  if (tokenMatrix && (tokenMatrix->layer < 0 || tokenMatrix->layer >= L ||
                      (oneHead && (tokenMatrix->head < 0 || tokenMatrix->head >= H))))
    fail("", "token matrix",
         "layer " + std::to_string(tokenMatrix->layer) + ", head " +
             (oneHead ? std::to_string(tokenMatrix->head) : headReduceName(tokenMatrix->reduce)) +
             " is outside the model's " + std::to_string(L) + " layers × " + std::to_string(H) + " heads");

  // Every key in exactly one segment: its first document, else "outside" (= D).
  std::vector<int64_t> segment(static_cast<size_t>(T), D);
  std::vector<size_t> documentTokens(documents.size(), 0);
  for (size_t d = 0; d < documents.size(); ++d)
    for (size_t i = documents[d].first; i < documents[d].last; ++i)
      if (segment[i] == D) {
        segment[i] = static_cast<int64_t>(d);
        ++documentTokens[d];
      }

  at::NoGradGuard noGrad;
  const at::Device dev = model_.device();
  const auto f64 = at::TensorOptions().dtype(at::kDouble).device(dev);
  // One-hot key -> segment map, so a row's masses are one matmul: [S, D + 1].
  at::Tensor assign =
      at::zeros({T, D + 1}, f64).scatter_(1, at::tensor(segment, at::kLong).to(dev).unsqueeze(1), 1.0);
  at::Tensor massSum = at::zeros({L, H, D + 1}, f64); // sums over query rows
  at::Tensor sinkSum = at::zeros({L, H}, f64);
  const int64_t sink = std::min<int64_t>(static_cast<int64_t>(options_.sinkTokens), T);
  const int64_t q0 = static_cast<int64_t>(rows.first), q1 = static_cast<int64_t>(rows.last);

  AttentionAnalysis out;
  std::vector<float> matrix; // [q1 - q0, q1] for the chosen layer/head
  if (tokenMatrix) matrix.assign(static_cast<size_t>((q1 - q0) * q1), 0.0f);
  AttentionRunStats& st = out.stats;

  AttentionObserver observer = [&](int64_t layer, int64_t start, const at::Tensor& probs) {
    // probs: [1, H, Tq, S] fp32 for query rows start .. start+Tq
    ++st.observerCalls;
    st.largestBlockRows = std::max(st.largestBlockRows, probs.size(2));
    st.largestBlockFloats = std::max(st.largestBlockFloats, probs.numel());
    const int64_t r0 = std::max(q0, start), r1 = std::min(q1, start + probs.size(2));
    if (r0 >= r1) return;
    at::Tensor p = probs.select(0, 0).narrow(1, r0 - start, r1 - r0);              // [H, R, S]
    at::Tensor rowSum = p.to(at::kDouble).sum(1);                                  // [H, S]
    massSum.select(0, layer).add_(at::matmul(rowSum, assign));                     // [H, D + 1]
    if (sink > 0) sinkSum.select(0, layer).add_(rowSum.narrow(1, 0, sink).sum(1)); // [H]
    if (tokenMatrix && layer == tokenMatrix->layer) {
      at::Tensor heads = p.narrow(2, 0, q1); // [H, R, q1]
      at::Tensor reduced = tokenMatrix->reduce == HeadSelection::Reduce::Mean ? heads.mean(0)
                           : tokenMatrix->reduce == HeadSelection::Reduce::Max
                               ? heads.amax(0)
                               : heads.select(0, tokenMatrix->head);
      at::Tensor w = reduced.to(at::kCPU).contiguous(); // [R, q1]
      st.keptFloats += w.numel();
      std::copy(w.data_ptr<float>(), w.data_ptr<float>() + w.numel(),
                matrix.begin() + static_cast<std::ptrdiff_t>((r0 - q0) * q1));
    }
  };

  const auto t0 = std::chrono::steady_clock::now();
  at::Tensor ids = at::tensor(std::vector<int64_t>(seq.ids.begin(), seq.ids.end()), at::kLong).view({1, T});
  at::Tensor positions = at::arange(T, at::kLong).view({1, T});
  model_.hidden({ids, positions, {}}, nullptr, &observer);
  const double n = static_cast<double>(q1 - q0);
  at::Tensor mass = (massSum / n).to(at::kFloat).to(at::kCPU).contiguous();     // [L, H, D + 1]
  at::Tensor sinkMass = (sinkSum / n).to(at::kFloat).to(at::kCPU).contiguous(); // [L, H]
  st.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  AttentionProfile& p = out.profile;
  p.query = attentionQueryName(seq.query);
  p.layers = static_cast<size_t>(L);
  p.heads = static_cast<size_t>(H);
  p.documents = static_cast<size_t>(D);
  p.mass.resize(static_cast<size_t>(L * H * D));
  p.outsideMass.resize(static_cast<size_t>(L * H));
  const float* m = mass.data_ptr<float>();
  for (int64_t lh = 0; lh < L * H; ++lh) {
    std::copy(m + lh * (D + 1), m + lh * (D + 1) + D, p.mass.begin() + lh * D);
    p.outsideMass[static_cast<size_t>(lh)] = m[lh * (D + 1) + D];
  }
  p.sinkMass.assign(sinkMass.data_ptr<float>(), sinkMass.data_ptr<float>() + L * H);
  p.sinkShare = std::vector<float>(static_cast<size_t>(L), 0.0f);
  for (int64_t l = 0; l < L; ++l) {
    double s = 0;
    for (int64_t h = 0; h < H; ++h)
      s += p.sinkMass[static_cast<size_t>(l * H + h)];
    p.sinkShare[static_cast<size_t>(l)] = static_cast<float>(s / static_cast<double>(H));
  }
  p.sinkTokens = static_cast<size_t>(sink);
  p.sequenceTokens = static_cast<size_t>(T);
  p.promptTokens = seq.promptTokens ? seq.promptTokens : static_cast<size_t>(T);
  p.queryRows = rows;
  p.documentRanges = documents;
  p.documentTokens = documentTokens;
  p.answerIds = seq.answerIds;
  p.answerText = seq.answerText;
  p.stopReason = seq.stopReason;

  if (tokenMatrix) {
    TokenAttention t;
    t.layer = tokenMatrix->layer;
    t.head = oneHead ? tokenMatrix->head : -1;
    t.heads = headReduceName(tokenMatrix->reduce);
    for (int64_t i = q0; i < q1; ++i)
      t.queryTokens.push_back(static_cast<size_t>(i));
    for (int64_t k = 0; k < q1; ++k)
      t.keyTokens.push_back(static_cast<size_t>(k));
    t.weights = std::move(matrix);
    out.tokens = std::move(t);
  }
  return out;
}

AttentionAnalysis AttentionAnalyzer::analyse(const PromptInstance& prompt, AttentionQuery query,
                                             std::optional<HeadSelection> tokenMatrix) const {
  AttentionAnalysis a = analyse(prepare(prompt, query), prompt.spans.documents, tokenMatrix);
  a.profile.goldIndex = prompt.example.goldIndex();
  return a;
}

AttentionProfile AttentionAnalyzer::profile(const PromptInstance& prompt, AttentionQuery query) const {
  return analyse(prompt, query).profile;
}

} // namespace poslab
