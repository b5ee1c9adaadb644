#include "app/gui/PlacementBuilder.h"

#include "core/attention/AttentionStudy.h"
#include "core/engine/Engine.h"
#include "core/eval/TaskResponse.h"
#include "core/sweep/ExperimentPrompts.h"
#include "core/util/Error.h"

#include <QCoreApplication>
#include <algorithm>
#include <limits>

namespace poslab {

namespace {

AttentionQuery coreQuery(QuerySelection q) {
  switch (q) {
  case QuerySelection::Question:
    return AttentionQuery::Question;
  case QuerySelection::Answer:
    return AttentionQuery::Answer;
  case QuerySelection::LastToken:
    break;
  }
  return AttentionQuery::LastToken;
}

} // namespace

QString PlacementRequest::key() const {
  // Every setting (toJson() writes them all), so a changed option never finds a stale placement.
  return QString("%1|%2|%3|%4")
      .arg(QString::fromStdString(settings.toJson().dump()))
      .arg(example)
      .arg(position)
      .arg(static_cast<int>(query));
}

const std::vector<RetrievalExample>& PlacementBuilder::examples(const SweepSettings& settings) {
  // The examples as sweeps load them; reloaded when anything that changes them changes.
  const std::string key = ExperimentPrompts::examplesKey(settings);
  if (!examples_ || loadedKey_ != key) {
    examples_ =
        std::make_shared<std::vector<RetrievalExample>>(ExperimentPrompts::loadExamples(settings).examples);
    loadedKey_ = key;
  }
  return *examples_;
}

SweepSettings PlacementBuilder::resolved(const SweepSettings& settings) const {
  SweepSettings s = settings;
  s.modelPath = engine_.info().path;
  return ExperimentPrompts::resolve(s);
}

AttentionStudy PlacementBuilder::study(const SweepSettings& s, const RetrievalExample& example,
                                       QuerySelection query) const {
  AttentionStudySettings study;
  study.prompt = ExperimentPrompts::promptSettings(s, example.kind);
  study.options.maxAnswerTokens = s.maxNewTokens;
  study.query = coreQuery(query);
  return AttentionStudy(engine_, ExperimentPrompts::chatTemplate(s), study);
}

int PlacementBuilder::positionCount(const PlacementRequest& request) {
  const SweepSettings s = resolved(request.settings);
  const auto& all = examples(s);
  if (request.example < 0 || static_cast<size_t>(request.example) >= all.size())
    fail(s.dataPath, "example",
         std::to_string(request.example) + " is not among its " + std::to_string(all.size()) + " examples");
  const RetrievalExample& ex = all[static_cast<size_t>(request.example)];
  return static_cast<int>(
      GoldPlacement(ExperimentPrompts::promptSettings(s, ex.kind).placement).positionCount(ex));
}

PlacementDetails PlacementBuilder::build(const PlacementRequest& request) {
  const SweepSettings s = resolved(request.settings);
  positionCount(request); // validates the example index
  const RetrievalExample& ex = examples(s)[static_cast<size_t>(request.example)];
  // The answer first (the explorer shows it), then the chosen query's attention.
  const auto position = static_cast<size_t>(request.position);
  const PromptAttention answer = study(s, ex, QuerySelection::Answer).analyse(ex, position);
  const PromptAttention shown =
      request.query == QuerySelection::Answer ? answer : study(s, ex, request.query).analyse(ex, position);
  const AttentionProfile& p = shown.analysis.profile;
  const RetrievalExample& placed = shown.prompt.example;

  PlacementDetails d;
  d.example = request.example;
  d.goldPosition = request.position;
  d.question = QString::fromStdString(ex.hasDocuments() ? ex.question : "Key: " + ex.key);
  for (const auto& a : ex.hasDocuments() ? ex.answers : std::vector<std::string>{ex.value})
    d.goldAnswers << QString::fromStdString(a);
  const std::string prediction = TaskResponse::prediction(ex.kind, answer.analysis.profile.answerText);
  d.prediction = QString::fromStdString(prediction);
  d.correct = TaskResponse::score(ex, prediction) > 0.5;
  d.promptTokens = static_cast<int>(shown.prompt.encoding.ids.size());
  for (size_t i = 0; i < p.documents; ++i) {
    DocumentStripItem item;
    item.title = ex.hasDocuments() ? QString::fromStdString(placed.documents[i].title)
                                   : QString::fromStdString(placed.pairs[i].key.substr(0, 8));
    if (item.title.isEmpty()) item.title = QString("Document %1").arg(i + 1);
    item.tokenCount = static_cast<int>(p.documentTokens[i]);
    // Both hops of a two-hop example are gold (the heatmap marks hop 1, its goldIndex).
    item.isGold =
        (p.goldIndex && *p.goldIndex == i) || (ex.kind == TaskKind::TwoHop && placed.documents[i].isGold);
    d.documents.push_back(item);
  }
  AttentionGrid& g = d.attention;
  g.layers = static_cast<int>(p.layers);
  g.heads = static_cast<int>(p.heads);
  g.documents = static_cast<int>(p.documents);
  g.query = request.query;
  g.mass = QVector<float>(p.mass.begin(), p.mass.end());
  for (const auto& item : d.documents)
    g.documentLabels << item.title;
  g.goldIndex = p.goldIndex ? static_cast<int>(*p.goldIndex) : -1;
  g.sinkShare = QVector<float>(p.sinkShare.begin(), p.sinkShare.end());
  return d;
}

HeatmapMatrix PlacementBuilder::tokenMap(const PlacementRequest& request, int layer, HeadReduction heads,
                                         const std::function<bool()>& cancelled) {
  const SweepSettings s = resolved(request.settings);
  positionCount(request); // validates the example index
  const RetrievalExample& ex = examples(s)[static_cast<size_t>(request.example)];
  const AttentionStudy analysis = study(s, ex, request.query);
  // One forward pass whatever the selection: the analyser reduces the layer's heads itself.
  HeadSelection selection{layer, heads.head, HeadSelection::Reduce::One};
  if (heads.kind == HeadReduction::Mean) selection.reduce = HeadSelection::Reduce::Mean;
  if (heads.kind == HeadReduction::Max) selection.reduce = HeadSelection::Reduce::Max;
  if (cancelled && cancelled()) fail("", "token map", "cancelled");
  const PromptAttention result = analysis.analyse(ex, static_cast<size_t>(request.position), selection);
  const TokenAttention& t = *result.analysis.tokens; // weights: [rows][keys]
  const Tokenizer& tokenizer = engine_.requireTokenizer();
  const std::vector<int32_t>& promptIds = result.prompt.encoding.ids;
  const std::vector<int32_t>& answerIds = result.analysis.profile.answerIds;
  auto piece = [&](size_t token) {
    const size_t n = promptIds.size();
    if (token >= n && token - n >= answerIds.size()) return QString("#%1").arg(token);
    const int32_t id = token < n ? promptIds[token] : answerIds[token - n];
    // A byte-fallback token holding part of a character decodes alone to U+FFFD: show its id.
    const QString text = QString::fromStdString(tokenizer.decode(std::vector<int32_t>{id})).simplified();
    return text.contains(QChar::ReplacementCharacter) ? QString("<%1>").arg(id) : text;
  };

  HeatmapMatrix m;
  m.rows = static_cast<int>(t.queryTokens.size());
  m.columns = static_cast<int>(t.keyTokens.size());
  m.values.reserve(static_cast<qsizetype>(t.weights.size()));
  for (float x : t.weights)
    m.values << static_cast<double>(x);
  for (size_t q : t.queryTokens)
    m.rowLabels << QString("%1 %2").arg(q).arg(piece(q));
  for (size_t k : t.keyTokens)
    m.columnLabels << piece(k);
  const QString headText = heads.kind == HeadReduction::Single
                               ? QCoreApplication::translate("PlacementBuilder", "head %1").arg(heads.head)
                           : heads.kind == HeadReduction::Max
                               ? QCoreApplication::translate("PlacementBuilder", "max of heads")
                               : QCoreApplication::translate("PlacementBuilder", "mean of heads");
  m.rowTitle = QCoreApplication::translate("PlacementBuilder", "Query token");
  m.columnTitle =
      QCoreApplication::translate("PlacementBuilder", "Key token (layer %1, %2)").arg(layer).arg(headText);
  m.valueTitle = QCoreApplication::translate("PlacementBuilder", "Attention");
  m.minimum = 0.0;
  m.rowsTopToBottom = true;
  if (const auto gold = result.analysis.profile.goldIndex) {
    const TokenRange r = result.analysis.profile.documentRanges[*gold];
    m.columnTitle += QCoreApplication::translate("PlacementBuilder", "; gold document: tokens %1–%2")
                         .arg(r.first)
                         .arg(r.last - 1);
  }
  return m;
}

AttentionMassGrid PlacementBuilder::aggregate(const SweepSettings& settings, int count, QuerySelection query,
                                              const std::function<void(int, int)>& progress,
                                              const std::atomic<bool>* cancel, bool* complete) {
  const SweepSettings s = resolved(settings);
  const auto& all = examples(s);
  if (all.empty()) fail(s.dataPath, "examples", "the file has none");
  const size_t n = count > 0 ? std::min(all.size(), static_cast<size_t>(count)) : all.size();
  const std::vector<RetrievalExample> chosen(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
  const AttentionMassMatrix m = study(s, chosen.front(), query)
                                    .aggregate(
                                        chosen,
                                        [&](size_t done, size_t total) {
                                          if (progress)
                                            progress(static_cast<int>(done), static_cast<int>(total));
                                        },
                                        cancel);
  AttentionMassGrid g;
  g.documents = static_cast<int>(m.documents);
  g.goldPositions = static_cast<int>(m.positions);
  g.mass.resize(g.documents * g.goldPositions);
  g.layers = static_cast<int>(m.layers);
  g.perLayer.resize(g.layers * g.goldPositions * g.documents);
  size_t profiles = 0;
  constexpr float none = std::numeric_limits<float>::quiet_NaN();
  for (size_t p = 0; p < m.positions; ++p) {
    profiles += m.counts[p];
    g.counts << static_cast<int>(m.counts[p]);
    for (size_t d = 0; d < m.documents; ++d) {
      g.mass[static_cast<qsizetype>(p * m.documents + d)] = m.counts[p] ? m.averagedAt(d, p) : none;
      for (size_t l = 0; l < m.layers; ++l)
        g.perLayer[static_cast<qsizetype>((l * m.positions + p) * m.documents + d)] =
            m.counts[p] ? m.layerAt(l, d, p) : none;
    }
  }
  const QString queryText = query == QuerySelection::Question
                                ? QCoreApplication::translate("PlacementBuilder", "question tokens")
                            : query == QuerySelection::Answer
                                ? QCoreApplication::translate("PlacementBuilder", "answer tokens")
                                : QCoreApplication::translate("PlacementBuilder", "last prompt token");
  g.description =
      QCoreApplication::translate("PlacementBuilder", "%1, mean over layers and heads, %2 examples")
          .arg(queryText)
          .arg(m.positions ? m.counts.front() : 0);
  if (complete) *complete = profiles == n * m.positions;
  return g;
}

} // namespace poslab
