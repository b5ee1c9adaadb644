// AttentionAnalyzer against the independent Python reference
// (tests/reference/make_fixtures.py, attention.safetensors): the observed
// probabilities and the per-document masses to 1e-4; rows and masses sum to 1;
// the query-block size changes nothing; and a real 20-document prompt on
// stories260K with its real spans, reduced block by block (never L×T×T).
#include "core/attention/AttentionAnalyzer.h"
#include "core/attention/AttentionStudy.h"
#include "core/data/DatasetLoader.h"
#include "core/data/RandomDistractors.h"
#include "core/engine/TokenizerLoader.h"
#include "core/model/LlamaModel.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "tests/model/ModelTestSupport.h"

#include <ATen/Parallel.h>

using namespace poslab;
using namespace poslab::test;

namespace {

class AttentionGolden {
public:
  explicit AttentionGolden(const std::string& fixture)
      : file_(fixturePath(fixture + "/attention.safetensors")) {}
  at::Tensor get(const std::string& name) const {
    const TensorView* v = file_.find(name);
    if (!v) qFatal("attention tensor %s missing", name.c_str());
    return loadTensor(*v, file_.mapping(), v->dtype == DType::I64 ? at::kLong : at::kFloat).clone();
  }

private:
  SafetensorsFile file_;
};

std::vector<int32_t> toIds(const at::Tensor& t) {
  std::vector<int32_t> ids;
  for (int64_t i = 0; i < t.numel(); ++i)
    ids.push_back(static_cast<int32_t>(t[i].item<int64_t>()));
  return ids;
}

std::vector<TokenRange> toRanges(const at::Tensor& t) { // [D, 2]
  std::vector<TokenRange> r;
  for (int64_t d = 0; d < t.size(0); ++d)
    r.push_back({static_cast<size_t>(t[d][0].item<int64_t>()), static_cast<size_t>(t[d][1].item<int64_t>())});
  return r;
}

double maxDiff(const std::vector<float>& a, const at::Tensor& b) {
  at::Tensor ta = at::tensor(a, at::kFloat).view(b.sizes());
  return maxAbsDiff(ta, b);
}

AttentionSequence sequenceOf(const std::vector<int32_t>& ids, TokenRange rows) {
  AttentionSequence s;
  s.ids = ids;
  s.promptTokens = ids.size();
  s.queryRows = rows;
  return s;
}

// Every (layer, head): documents + outside = 1.
double worstMassSum(const AttentionProfile& p) {
  double worst = 0;
  for (size_t l = 0; l < p.layers; ++l)
    for (size_t h = 0; h < p.heads; ++h) {
      double s = p.outsideMass[l * p.heads + h];
      for (size_t d = 0; d < p.documents; ++d)
        s += p.at(l, h, d);
      worst = std::max(worst, std::abs(s - 1.0));
    }
  return worst;
}

} // namespace

class TestAttentionAnalyzer : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void initTestCase() { at::set_num_threads(2); }

  void fixtures_data() {
    QTest::addColumn<QString>("fixture");
    QTest::newRow("gqa") << "gqa";
    QTest::newRow("qwen2_bias") << "qwen2_bias";
  }

  // The token matrix of every layer/head (all 20 rows) is the reference's softmax,
  // and each layer's mean and max over the heads are its reductions.
  void observedProbabilitiesMatchReference_data() { fixtures_data(); }
  void observedProbabilitiesMatchReference() {
    QFETCH(QString, fixture);
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    AttentionGolden golden(fixture.toStdString());
    const std::vector<int32_t> ids = toIds(golden.get("ids"));
    const at::Tensor probs = golden.get("probs"); // [L, H, T, T]
    const int64_t T = static_cast<int64_t>(ids.size());
    AttentionAnalyzer analyzer(*m.model, nullptr);
    double worst = 0;
    for (int64_t l = 0; l < probs.size(0); ++l)
      for (int64_t h = 0; h < probs.size(1); ++h) {
        AttentionAnalysis a = analyzer.analyse(sequenceOf(ids, {0, size_t(T)}), {}, HeadSelection{l, h});
        QVERIFY(a.tokens);
        QCOMPARE(a.tokens->queryTokens.size(), size_t(T));
        QCOMPARE(a.tokens->keyTokens.size(), size_t(T));
        worst = std::max(worst, maxDiff(a.tokens->weights, probs[l][h]));
        if (h > 0) continue;
        // The heads' mean and max (one forward each) are the reference's softmax reduced over the heads.
        const AttentionAnalysis mean = analyzer.analyse(sequenceOf(ids, {0, size_t(T)}), {},
                                                        HeadSelection{l, 0, HeadSelection::Reduce::Mean});
        const AttentionAnalysis max = analyzer.analyse(sequenceOf(ids, {0, size_t(T)}), {},
                                                       HeadSelection{l, 0, HeadSelection::Reduce::Max});
        QVERIFY(mean.tokens && max.tokens);
        QCOMPARE(mean.tokens->heads, std::string("mean"));
        QCOMPARE(max.tokens->head, int64_t(-1));
        worst = std::max(worst, maxDiff(mean.tokens->weights, probs[l].mean(0)));
        worst = std::max(worst, maxDiff(max.tokens->weights, std::get<0>(probs[l].max(0))));
      }
    QVERIFY2(worst <= 1e-4, qPrintable(QString("max |dprob| %1").arg(worst)));
    qInfo("%s: max |dprob| vs reference %.3g", qPrintable(fixture), worst);
  }

  // Masses per document, outside and sink, for the last row and a span of rows,
  // against the masses Python computed from its own probabilities.
  void documentMassesMatchReference_data() { fixtures_data(); }
  void documentMassesMatchReference() {
    QFETCH(QString, fixture);
    LoadedModel m = ModelLoader::load(fixturePath(fixture.toStdString()), at::kFloat, at::kCPU);
    AttentionGolden golden(fixture.toStdString());
    const std::vector<int32_t> ids = toIds(golden.get("ids"));
    const std::vector<TokenRange> docs = toRanges(golden.get("documents"));
    const at::Tensor span = golden.get("query_span");
    const TokenRange spanRows{size_t(span[0].item<int64_t>()), size_t(span[1].item<int64_t>())};
    AttentionAnalyzer analyzer(*m.model, nullptr);
    for (const auto& [name, rows] : {std::pair<std::string, TokenRange>{"last", {ids.size() - 1, ids.size()}},
                                     std::pair<std::string, TokenRange>{"span", spanRows}}) {
      const AttentionProfile p = analyzer.analyse(sequenceOf(ids, rows), docs).profile;
      QCOMPARE(p.documents, docs.size());
      QCOMPARE(p.sinkTokens, size_t(4));
      const double dm = maxDiff(p.mass, golden.get("mass_" + name));
      const double dout = maxDiff(p.outsideMass, golden.get("outside_" + name));
      const double dsink = maxDiff(p.sinkMass, golden.get("sink_" + name));
      QVERIFY2(dm <= 1e-4 && dout <= 1e-4 && dsink <= 1e-4,
               qPrintable(
                   QString("%1: mass %2 outside %3 sink %4").arg(name.c_str()).arg(dm).arg(dout).arg(dsink)));
      qInfo("%s %s: max |dmass| %.3g, |doutside| %.3g, |dsink| %.3g", qPrintable(fixture), name.c_str(), dm,
            dout, dsink);
      // the overlapping token 4 counts once, for document 0
      QCOMPARE(p.documentTokens, (std::vector<size_t>{4, 4, 5}));
    }
  }

  void rowsAndMassesSumToOne() {
    LoadedModel m = ModelLoader::load(fixturePath("gqa"), at::kFloat, at::kCPU);
    AttentionGolden golden("gqa");
    const std::vector<int32_t> ids = toIds(golden.get("ids"));
    AttentionAnalyzer analyzer(*m.model, nullptr);
    const AttentionAnalysis a = analyzer.analyse(sequenceOf(ids, {3, ids.size()}),
                                                 toRanges(golden.get("documents")), HeadSelection{1, 5});
    QVERIFY2(worstMassSum(a.profile) <= 1e-4, qPrintable(QString::number(worstMassSum(a.profile))));
    const TokenAttention& t = *a.tokens;
    for (size_t r = 0; r < t.queryTokens.size(); ++r) {
      double s = 0;
      for (size_t k = 0; k < t.keyTokens.size(); ++k) {
        s += t.at(r, k);
        if (k > t.queryTokens[r]) QCOMPARE(t.at(r, k), 0.0f); // causal
      }
      QVERIFY(std::abs(s - 1.0) <= 1e-4);
    }
    for (float s : a.profile.sinkShare)
      QVERIFY(s > 0 && s < 1);
  }

  // Query blocks of 7 rows (several per layer, splitting the span) and of 1024
  // (one) give the same profile and token matrix.
  void queryBlockChangesNothing() {
    LoadedModel m = ModelLoader::load(fixturePath("gqa"), at::kFloat, at::kCPU);
    AttentionGolden golden("gqa");
    const std::vector<int32_t> ids = toIds(golden.get("ids"));
    const std::vector<TokenRange> docs = toRanges(golden.get("documents"));
    AttentionAnalyzer analyzer(*m.model, nullptr);
    m.model->setQueryBlock(7);
    const AttentionAnalysis small = analyzer.analyse(sequenceOf(ids, {5, 17}), docs, HeadSelection{0, 3});
    m.model->setQueryBlock(1024);
    const AttentionAnalysis large = analyzer.analyse(sequenceOf(ids, {5, 17}), docs, HeadSelection{0, 3});
    QCOMPARE(small.stats.observerCalls, 2 * 3);
    QCOMPARE(small.stats.largestBlockRows, int64_t(7));
    QCOMPARE(large.stats.observerCalls, 2);
    for (size_t i = 0; i < small.profile.mass.size(); ++i)
      QVERIFY(std::abs(small.profile.mass[i] - large.profile.mass[i]) <= 1e-6);
    for (size_t i = 0; i < small.tokens->weights.size(); ++i)
      QVERIFY(std::abs(small.tokens->weights[i] - large.tokens->weights[i]) <= 1e-6);
    QCOMPARE(small.profile.sinkShare.size(), large.profile.sinkShare.size());
  }

  void badRequestsFail() {
    LoadedModel m = ModelLoader::load(fixturePath("gqa"), at::kFloat, at::kCPU);
    AttentionAnalyzer analyzer(*m.model, nullptr);
    const std::vector<int32_t> ids = {1, 5, 7, 9};
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {2, 2}), {}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {0, 5}), {}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {3, 4}), {{0, 9}}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {3, 4}), {}, HeadSelection{2, 0}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {3, 4}), {}, HeadSelection{0, 8}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf(ids, {3, 4}), {},
                                                     HeadSelection{2, 0, HeadSelection::Reduce::Mean}));
    QVERIFY_THROWS_EXCEPTION(Error, analyzer.analyse(sequenceOf({1, 500}, {1, 2}), {}));
  }

  // A real model and real data: stories260K (its own 512-token vocabulary) on
  // NQ prompts (oracle gold + random distractors): 20 documents (~6 800 tokens,
  // past the model's 2 048 context; only the memory and spans matter here) for
  // one query, 5 documents for the others to keep the test short on 2 cores.
  void realPrompt_data() {
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("docs");
    QTest::newRow("last, 20 documents") << "last" << 20;
    QTest::newRow("question, 5 documents") << "question" << 5;
    QTest::newRow("answer, 5 documents") << "answer" << 5;
  }
  void realPrompt() {
    QFETCH(QString, query);
    QFETCH(int, docs);
    const size_t K = size_t(docs);
    const std::string path = sharedPath("models/stories260K/stories260K.gguf");
    LoadedModel m = ModelLoader::load(path, at::kFloat, at::kCPU);
    auto tok = TokenizerLoader::load(path, m.source.get());
    QVERIFY(tok);
    auto examples =
        RandomDistractors({20, 7, true})
            .apply(DatasetLoader::load(sharedPath("data/lost-in-the-middle/qa_data/nq-open-oracle.jsonl.gz"))
                       .examples);
    examples.resize(2);
    QCOMPARE(examples.size(), size_t(2));
    AttentionStudySettings settings;
    settings.query = parseAttentionQuery(query.toStdString());
    settings.options.maxAnswerTokens = 8;
    settings.prompt.placement.docs = K;
    AttentionStudy study(*m.model, *tok, std::nullopt, settings);
    const size_t gold = K == 20 ? 7 : 3;
    const PromptAttention r = study.analyse(examples[1], gold, HeadSelection{4, 2});
    const AttentionProfile& p = r.analysis.profile;
    const ModelConfig& c = m.model->config();
    QCOMPARE(p.layers, size_t(c.numLayers));
    QCOMPARE(p.heads, size_t(c.numHeads));
    QCOMPARE(p.documents, K);
    QCOMPARE(*p.goldIndex, gold);
    QVERIFY2(worstMassSum(p) <= 1e-4, qPrintable(QString::number(worstMassSum(p))));
    // The spans are the prompt's: the gold's range decodes to the gold passage.
    const TokenRange g = p.documentRanges[gold];
    const std::vector<int32_t>& ids = r.prompt.encoding.ids;
    const std::string goldText =
        tok->decode({ids.begin() + std::ptrdiff_t(g.first), ids.begin() + std::ptrdiff_t(g.last)});
    QVERIFY2(goldText.find("Document [" + std::to_string(gold + 1) + "]") != std::string::npos,
             goldText.c_str());
    QVERIFY(goldText.find(r.prompt.example.documents[gold].text.substr(0, 20)) != std::string::npos);
    for (size_t d = 0; d < K; ++d)
      QVERIFY(p.documentTokens[d] > 10);
    // Which rows were averaged.
    const size_t T = p.promptTokens;
    if (K == 20) QVERIFY2(T > 4096, qPrintable(QString::number(T))); // several query blocks
    if (query == "last") QCOMPARE(p.queryRows, (TokenRange{T - 1, T}));
    if (query == "question") QCOMPARE(p.queryRows, r.prompt.spans.question);
    if (query == "answer") {
      QVERIFY(!p.answerIds.empty() && p.answerIds.size() <= 8);
      QCOMPARE(p.queryRows, (TokenRange{T - 1, T - 1 + p.answerIds.size()}));
      QCOMPARE(p.sequenceTokens, T + p.answerIds.size() - 1);
    }
    // Memory: the observer saw one block at a time (the default query rows)
    // and only the chosen head's query rows were copied out; the profile
    // itself is L×H×(D+2) floats. Nothing of size L×T×T existed.
    const AttentionRunStats& st = r.analysis.stats;
    const int64_t S = int64_t(p.sequenceTokens), L = c.numLayers, H = c.numHeads;
    const int64_t rows = LlamaModel::kDefaultQueryBlock, blocks = (S + rows - 1) / rows;
    QCOMPARE(st.observerCalls, L * blocks);
    QCOMPARE(st.largestBlockFloats, H * std::min<int64_t>(rows, S) * S);
    QCOMPARE(st.keptFloats, int64_t(p.queryRows.size()) * int64_t(p.queryRows.last));
    QVERIFY(st.largestBlockFloats * L < L * H * S * S);
    qInfo("%s: %zu prompt tokens, %lld blocks of <= %lld floats, forward %.2f s, gold mass (mean) %.4f, sink "
          "share layer 0 %.3f",
          qPrintable(query), T, static_cast<long long>(st.observerCalls),
          static_cast<long long>(st.largestBlockFloats), st.seconds, p.massOverLayersAndHeads()[gold],
          p.sinkShare[0]);
  }
};

QTEST_GUILESS_MAIN(TestAttentionAnalyzer)
#include "test_attention_analyzer.moc"
